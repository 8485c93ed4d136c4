package main

import "errors"

// trainToxicity is not written yet (issue 14).
func trainToxicity(data, out, evalOut string) error { return errors.New("toxicity: not written yet") }
