"""The chatbot design's conversation endpoints behind Rampart: RAMPART_URL=... RAMPART_API_KEY=rmp_... uvicorn chatbot:app"""
import itertools
import os

from fastapi import Depends, FastAPI, HTTPException

from rampart import AsyncClient, Principal, Verifier
from rampart.fastapi import RampartAuth, RateLimitMiddleware, RateLimitRule, require_permission

URL = os.environ.get("RAMPART_URL", "http://127.0.0.1:8080")
verifier = Verifier(os.environ.get("RAMPART_ISSUER", URL), jwks_url=URL + "/.well-known/jwks.json")
app = FastAPI()
RampartAuth(verifier).install(app)
app.add_middleware(RateLimitMiddleware, client=AsyncClient(URL, api_key=os.environ.get("RAMPART_API_KEY", "")),
                   verifier=verifier, rules=[RateLimitRule("api_calls", path="/conversations*")])
conversations: dict = {}
ids = itertools.count(1)


def own(conversation_id: str, user: Principal) -> dict:
    c = conversations.get(conversation_id, {})
    if c.get("tenant_id") != user.tenant_id:  # another tenant's conversation does not exist for this one
        raise HTTPException(404, "no such conversation")
    return c


@app.get("/conversations")
async def list_conversations(user: Principal = Depends(require_permission("conversations:read"))):
    return [c for c in conversations.values() if c["tenant_id"] == user.tenant_id]


@app.post("/conversations", status_code=201)
async def create_conversation(body: dict, user: Principal = Depends(require_permission("conversations:write"))):
    cid = "c-%d" % next(ids)
    return conversations.setdefault(cid, {"id": cid, "tenant_id": user.tenant_id, "owner": user.user_id, "title": str(body.get("title", ""))})


@app.get("/conversations/{conversation_id}")
async def get_conversation(conversation_id: str, user: Principal = Depends(require_permission("conversations:read", resource_param="conversation_id"))):
    return own(conversation_id, user)


@app.delete("/conversations/{conversation_id}", status_code=204)
async def delete_conversation(conversation_id: str, user: Principal = Depends(require_permission("conversations:delete", resource_param="conversation_id"))):
    conversations.pop(own(conversation_id, user)["id"])
