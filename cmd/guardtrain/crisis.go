package main

import "errors"

// trainCrisis is not written yet (issue 14).
func trainCrisis(data, out, evalOut string) error { return errors.New("crisis: not written yet") }
