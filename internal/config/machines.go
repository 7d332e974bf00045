package config

import (
	"cmp"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/asl"
	aslDiag "github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/internal/aslfile"
	"github.com/signalbox/signalbox/runtime"
)

// StateMachine is a state machine of the file, its definition read and
// validated.
type StateMachine struct {
	Name, File, Type, RoleARN string
	Definition                []byte
	index                     int // in stateMachines, for Apply's problems
}

func decodeStateMachines(d *decoder, n *yaml.Node, path string, c *Config) {
	dir := filepath.Dir(c.File)
	seen := map[string]string{}
	d.list(n, path, func(item *yaml.Node, p string) {
		m := StateMachine{index: len(c.StateMachines)}
		var typeNode *yaml.Node
		d.mapping(item, p, map[string]func(*yaml.Node, string){
			"name":       func(n *yaml.Node, p string) { m.Name = d.str(n, p) },
			"definition": func(n *yaml.Node, p string) { m.File = d.str(n, p) },
			"type":       func(n *yaml.Node, p string) { m.Type, typeNode = strings.ToUpper(d.str(n, p)), n },
			"roleArn":    func(n *yaml.Node, p string) { m.RoleARN = d.str(n, p) },
		})
		switch err := runtime.CheckExecutionName(m.Name); {
		case m.Name == "":
			d.fail(item, p+".name", "required")
		case err != nil:
			d.fail(item, p+".name", "%s", strings.Replace(strings.TrimPrefix(err.Error(), "InvalidName: "), "an execution name", "a state machine name", 1))
		case seen[m.Name] != "":
			d.fail(item, p+".name", "%q is also the name of %s", m.Name, seen[m.Name])
		default:
			seen[m.Name] = p
		}
		if m.Type = cmp.Or(m.Type, runtime.TypeStandard); m.Type != runtime.TypeStandard && m.Type != runtime.TypeExpress {
			d.fail(typeNode, p+".type", "%q is neither STANDARD nor EXPRESS", m.Type)
		}
		if m.File == "" {
			d.fail(item, p+".definition", "required: the path of the definition file")
		} else {
			file := m.File
			if !filepath.IsAbs(file) {
				file = filepath.Join(dir, file)
			}
			m.Definition = readDefinition(d, item, p, file)
		}
		c.StateMachines = append(c.StateMachines, m)
	})
}

// readDefinition reads a definition file and reports its diagnostics, each
// at its JSON pointer in that file.
func readDefinition(d *decoder, item *yaml.Node, path, file string) []byte {
	data, err := os.ReadFile(file)
	if err != nil {
		d.fail(lookupNode(item, "definition"), path+".definition", "%v", err)
		return nil
	}
	def, err := aslfile.Parse(file, data)
	var ye *aslfile.Error
	if errors.As(err, &ye) {
		d.problems = append(d.problems, Problem{File: file, Line: ye.Line, Path: "/", Message: aslfile.InvalidYAML + " " + ye.Message})
		return nil
	}
	for _, diag := range asl.Validate(def.JSON) {
		line := def.Line(diag.Path)
		if diag.Code == aslDiag.InvalidJSON {
			line = aslfile.JSONErrorLine(def.JSON)
		}
		d.problems = append(d.problems, Problem{File: file, Line: line, Path: cmp.Or(diag.Path, "/"), Message: diag.Code + " " + diag.Message})
	}
	return def.JSON
}
