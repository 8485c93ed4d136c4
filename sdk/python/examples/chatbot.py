"""The chatbot design's conversation endpoints behind Rampart: RAMPART_URL=... RAMPART_API_KEY=rmp_... uvicorn chatbot:app"""
import itertools, os
from fastapi import Depends, FastAPI, HTTPException
from rampart import AsyncClient, Principal as User, Verifier
from rampart.fastapi import RampartAuth, RateLimitMiddleware, RateLimitRule, require_permission as may

URL = os.environ.get("RAMPART_URL", "http://127.0.0.1:8080")
rampart = AsyncClient(URL, api_key=os.environ.get("RAMPART_API_KEY", ""))  # with users:read: the tenant's custom roles and terms
verifier = Verifier(os.environ.get("RAMPART_ISSUER", URL), jwks_url=URL + "/.well-known/jwks.json")
app = FastAPI()
RampartAuth(verifier, client=rampart).install(app)  # 401/403 problem+json, password and terms gates, as Rampart's own
app.add_middleware(RateLimitMiddleware, client=rampart, verifier=verifier, rules=[RateLimitRule("api_calls", path="/conversations*")])
conversations, ids = {}, itertools.count(1)

def own(cid: str, user: User) -> dict:  # another tenant's conversation does not exist for this one
    if conversations.get(cid, {}).get("tenant_id") != user.tenant_id:
        raise HTTPException(404, "no such conversation")
    return conversations[cid]

@app.get("/conversations")
async def list_conversations(user: User = Depends(may("conversations:read"))):
    return [c for c in conversations.values() if c["tenant_id"] == user.tenant_id]

@app.post("/conversations", status_code=201)
async def create_conversation(body: dict, user: User = Depends(may("conversations:write"))):
    cid = "c-%d" % next(ids)
    return conversations.setdefault(cid, {"id": cid, "tenant_id": user.tenant_id, "owner": user.user_id, "title": str(body.get("title", ""))})

@app.get("/conversations/{cid}")
async def get_conversation(cid: str, user: User = Depends(may("conversations:read", resource_param="cid"))):
    return own(cid, user)

@app.delete("/conversations/{cid}", status_code=204)
async def delete_conversation(cid: str, user: User = Depends(may("conversations:delete", resource_param="cid"))):
    conversations.pop(own(cid, user)["id"])
