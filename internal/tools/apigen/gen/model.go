// Package gen turns a botocore service model of the AWS "json" protocol
// (Kinesis, Firehose, Kinesis Analytics, ...) into Go: shapes, JSON and
// CBOR codecs over internal/awsproto/codec, AWS-worded validation, a typed
// API interface and its awsproto.Service binding. Nothing in it is specific
// to one service: names come from the model and the options.
package gen

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Model is the part of a botocore service-2.json model the generator uses.
type Model struct {
	Metadata   Metadata              `json:"metadata"`
	Operations map[string]*Operation `json:"operations"`
	Shapes     map[string]*Shape     `json:"shapes"`

	// SHA256 is the hex SHA-256 of the model's JSON text (uncompressed).
	SHA256 string `json:"-"`
}

// Metadata describes the service.
type Metadata struct {
	APIVersion     string `json:"apiVersion"`
	EndpointPrefix string `json:"endpointPrefix"`
	JSONVersion    string `json:"jsonVersion"`
	Protocol       string `json:"protocol"`
	ServiceID      string `json:"serviceId"`
	SigningName    string `json:"signingName"`
	TargetPrefix   string `json:"targetPrefix"`
	UID            string `json:"uid"`
}

// Operation is one API operation.
type Operation struct {
	Name   string    `json:"name"`
	Input  *ShapeRef `json:"input"`
	Output *ShapeRef `json:"output"`
	Errors []ShapeRef
}

// ShapeRef refers to a shape from an operation or a member.
type ShapeRef struct {
	Shape         string `json:"shape"`
	LocationName  string `json:"locationName"`
	EventPayload  bool   `json:"eventpayload"`
	EventHeader   bool   `json:"eventheader"`
	JSONValue     bool   `json:"jsonvalue"`
	Location      string `json:"location"`
	StreamingBody bool   `json:"streaming"`
}

// Shape is a named type of the model.
type Shape struct {
	Type            string       `json:"type"`
	Members         Members      `json:"members"`
	Required        []string     `json:"required"`
	Min             *json.Number `json:"min"`
	Max             *json.Number `json:"max"`
	Pattern         string       `json:"pattern"`
	Enum            []string     `json:"enum"`
	Member          *ShapeRef    `json:"member"`
	Key             *ShapeRef    `json:"key"`
	Value           *ShapeRef    `json:"value"`
	Exception       bool         `json:"exception"`
	Fault           bool         `json:"fault"`
	Event           bool         `json:"event"`
	EventStream     bool         `json:"eventstream"`
	Union           bool         `json:"union"`
	Document        bool         `json:"document"`
	Streaming       bool         `json:"streaming"`
	TimestampFormat string       `json:"timestampFormat"`

	name string
}

// Member is one member of a structure, in model order.
type Member struct {
	Name string
	Ref  *ShapeRef
}

// Members keeps the model's member order, which decides the order of
// encoded output and of validation messages.
type Members []Member

// UnmarshalJSON reads a JSON object keeping its key order.
func (ms *Members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("members: %w", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("members: %w", err)
		}
		name, _ := tok.(string)
		var ref ShapeRef
		if err := dec.Decode(&ref); err != nil {
			return fmt.Errorf("member %s: %w", name, err)
		}
		*ms = append(*ms, Member{Name: name, Ref: &ref})
	}
	return nil
}

// LoadModel reads a botocore model, gzip-compressed or not.
func LoadModel(path string) (*Model, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("read model %s: %w", path, err)
		}
		if raw, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("read model %s: %w", path, err)
		}
	}
	return ParseModel(raw)
}

// ParseModel parses the JSON text of a model.
func ParseModel(raw []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	sum := sha256.Sum256(raw)
	m.SHA256 = hex.EncodeToString(sum[:])
	for name, s := range m.Shapes {
		s.name = name
	}
	if m.Metadata.Protocol != "json" {
		return nil, fmt.Errorf("model %s: protocol %q is not supported (only json)", m.Metadata.UID, m.Metadata.Protocol)
	}
	return &m, nil
}

// ModelCandidates lists the model files of service (e.g.
// "kinesis/2013-12-02") found in botocore's data directories: dirs first,
// then where pip, pyenv and Debian's python3-botocore put them.
func ModelCandidates(service string, dirs ...string) []string {
	home, _ := os.UserHomeDir()
	for _, pattern := range []string{
		filepath.Join(home, ".pyenv/versions/*/lib/python3*/site-packages/botocore/data"),
		filepath.Join(home, ".local/lib/python3*/site-packages/botocore/data"),
		"/usr/lib/python3/dist-packages/botocore/data",
		"/usr/local/lib/python3*/dist-packages/botocore/data",
		"/usr/local/lib/python3*/site-packages/botocore/data",
	} {
		m, _ := filepath.Glob(pattern)
		dirs = append(dirs, m...)
	}
	var files []string
	for _, d := range dirs {
		if d == "" {
			continue
		}
		for _, name := range []string{"service-2.json.gz", "service-2.json"} {
			f := filepath.Join(d, service, name)
			if _, err := os.Stat(f); err == nil && !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
	}
	return files
}

// ModelSHA256 returns the hex SHA-256 of a model file's JSON text, the
// identity generated code records.
func ModelSHA256(path string) (string, error) {
	m, err := LoadModel(path)
	if err != nil {
		return "", err
	}
	return m.SHA256, nil
}
