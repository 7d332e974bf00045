package filter

// referenceMatchBody is a second, naive reading of MatchBody's semantics,
// for the fuzz test to hold the streaming matcher to: it expands the body
// into rows (an object is the cross product of its members' rows, an
// array the union of its elements' rows) and looks for one row where
// every field of one branch finds a matching value. Exponential; ok is
// false when the body has too many rows or is not an object.
func referenceMatchBody(p *Policy, body string) (match, ok bool) {
	root, err := parseJSON(body, MaxBodyDepth)
	if err != nil || root.kind != jObject {
		return false, err == nil
	}
	want := map[string]int{}
	for i, path := range p.paths {
		want[path] = i
	}
	present := map[int]bool{}
	const maxRows = 4096
	type row [][]value // per path index
	var rows func(n *jnode, path string, top bool) ([]row, bool)
	rows = func(n *jnode, path string, top bool) ([]row, bool) {
		switch n.kind {
		case jObject:
			out := []row{make(row, len(p.paths))}
			for _, m := range n.obj {
				sub := m.key
				if !top {
					sub = path + "." + m.key
				}
				rs, ok := rows(m.val, sub, false)
				if !ok {
					return nil, false
				}
				var next []row
				for _, a := range out {
					for _, b := range rs {
						r := make(row, len(p.paths))
						for i := range r {
							r[i] = append(append([]value(nil), a[i]...), b[i]...)
						}
						next = append(next, r)
					}
				}
				if len(next) > maxRows {
					return nil, false
				}
				out = next
			}
			return out, true
		case jArray:
			var out []row
			for _, e := range n.arr {
				rs, ok := rows(e, path, top)
				if !ok {
					return nil, false
				}
				out = append(out, rs...)
				if len(out) > maxRows {
					return nil, false
				}
			}
			if len(out) == 0 {
				out = []row{make(row, len(p.paths))}
			}
			return out, true
		}
		r := make(row, len(p.paths))
		if i, ok := want[path]; ok && !top {
			var v value
			switch n.kind {
			case jString:
				v = stringValue(n.s)
			case jNumber:
				v = numberValue(n.s)
			case jBool:
				v = value{kind: vBool, b: n.b}
			default:
				v = value{kind: vNull}
			}
			r[i] = []value{v}
			if v.present() {
				present[i] = true
			}
		}
		return []row{r}, true
	}
	rs, ok := rows(root, "", true)
	if !ok {
		return false, false
	}
	for _, b := range p.branches {
		for _, r := range rs {
			all := true
			for _, f := range b.fields {
				if !(f.existsFalse && !present[f.path]) && !anyMatch(f, r[f.path]) {
					all = false
					break
				}
			}
			if all {
				return true, true
			}
		}
	}
	return false, true
}

func anyMatch(f *field, vs []value) bool {
	for i := range vs {
		if f.matchValue(&vs[i]) {
			return true
		}
	}
	return false
}
