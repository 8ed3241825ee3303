// yaml2json: a stream of YAML documents (`kustomize build` output) on stdin → one JSON array on
// stdout, for test/production/deploy.test.ts to inspect the rendered manifests.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

func main() {
	data, err := io.ReadAll(bufio.NewReader(os.Stdin))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	docs := []json.RawMessage{}
	for _, doc := range strings.Split("\n"+string(data), "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		out, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		docs = append(docs, out)
	}
	if err := json.NewEncoder(os.Stdout).Encode(docs); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
