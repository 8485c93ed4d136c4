// Command guardtrain trains the guard package's models from the openly
// licensed datasets in ../shared/datasets (see their MANIFEST.md) and writes
// them to guard/models, where the binary embeds them. Each scanner keeps an
// evaluation split out of training and reports its figures on it.
//
//	go run ./cmd/guardtrain -data ../shared/datasets injection
//	go run ./cmd/guardtrain -data ../shared/datasets toxicity
//	go run ./cmd/guardtrain -data ../shared/datasets crisis
//
// Training is deterministic for a seed; the same data gives the same model.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	data := flag.String("data", "../shared/datasets", "folder of the datasets (MANIFEST.md)")
	out := flag.String("out", "guard/models", "folder the models are written to")
	evalOut := flag.String("eval-out", "", "also write the evaluation split as JSONL here (for rampart guard eval)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: guardtrain [-data DIR] [-out DIR] [-eval-out FILE] injection|toxicity|crisis")
		os.Exit(2)
	}
	var err error
	switch flag.Arg(0) {
	case "injection":
		err = trainInjection(*data, *out, *evalOut)
	case "toxicity":
		err = trainToxicity(*data, *out, *evalOut)
	case "crisis":
		err = trainCrisis(*data, *out, *evalOut)
	default:
		err = fmt.Errorf("unknown scanner %q", flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "guardtrain:", err)
		os.Exit(1)
	}
}
