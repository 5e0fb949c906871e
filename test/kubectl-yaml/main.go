// Command kubectl-yaml reads manifest files exactly as `kubectl apply -f FILE` decodes them, for
// the checker's differential test (test/yaml-reading.test.ts): the file's bytes go through the
// BOM override kubectl's FileVisitor puts in front (k8s.io/cli-runtime/pkg/resource/visitor.go),
// then apimachinery's YAMLOrJSONDecoder into runtime.RawExtension, as the StreamVisitor does;
// documents that are empty or null are skipped, as the StreamVisitor skips them.
//
// Input on stdin: a JSON array of base64 strings, one per file. Output on stdout: a JSON array
// with, per file, {"documents": [...]} (each document as the JSON kubectl reads) or
// {"error": "..."} when kubectl would fail to decode the file.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
)

type result struct {
	Documents []json.RawMessage `json:"documents,omitempty"`
	Error     string            `json:"error,omitempty"`
}

func read(file []byte) (res result) {
	defer func() {
		if r := recover(); r != nil {
			res = result{Error: fmt.Sprintf("panic: %v", r)}
		}
	}()
	reader := transform.NewReader(bytes.NewReader(file), unicode.BOMOverride(unicode.UTF8.NewDecoder()))
	decoder := yaml.NewYAMLOrJSONDecoder(reader, 4096)
	res.Documents = []json.RawMessage{}
	for {
		ext := runtime.RawExtension{}
		if err := decoder.Decode(&ext); err != nil {
			if errors.Is(err, io.EOF) {
				return res
			}
			return result{Error: err.Error()}
		}
		raw := bytes.TrimSpace(ext.Raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		res.Documents = append(res.Documents, json.RawMessage(raw))
	}
}

func main() {
	var files [][]byte
	if err := json.NewDecoder(os.Stdin).Decode(&files); err != nil {
		fmt.Fprintln(os.Stderr, "kubectl-yaml: stdin must be a JSON array of base64 strings:", err)
		os.Exit(2)
	}
	results := make([]result, len(files))
	for i, file := range files {
		results[i] = read(file)
	}
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "kubectl-yaml:", err)
		os.Exit(1)
	}
}
