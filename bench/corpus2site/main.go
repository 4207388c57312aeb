// Command corpus2site converts a benchmark corpus (from gencorpus.py) into a
// gongkai site folder.
//
//	go run ./bench/corpus2site CORPUS_DIR SITE_DIR
package main

import (
	"fmt"
	"os"

	"gongkai/internal/corpus"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: corpus2site CORPUS_DIR SITE_DIR")
		os.Exit(2)
	}
	n, err := corpus.Convert(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("converted %d documents into %s\n", n, os.Args[2])
}
