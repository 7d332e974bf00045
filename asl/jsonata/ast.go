package jsonata

// kind is the type of an AST node.
type kind uint8

const (
	kPath        kind = iota // steps
	kName                    // str: field name
	kString                  // str
	kNumber                  // num
	kValue                   // val: true, false or nil
	kRegex                   // re
	kVariable                // str: variable name ("" is the context $)
	kWildcard                // *
	kDescendant              // **
	kParent                  // %: slot
	kBinary                  // op, lhs, rhs
	kNegate                  // lhs
	kArray                   // items
	kObject                  // pairs
	kBlock                   // items
	kCondition               // cond, then, els
	kBind                    // str (variable), rhs
	kCall                    // lhs (procedure), items (arguments)
	kPartial                 // lhs (procedure), items (arguments, with placeholders)
	kLambda                  // params, sig, body
	kApply                   // lhs ~> rhs
	kTransform               // pattern, update, del
	kSort                    // terms
	kPlaceholder             // ? in a partial application

	// kinds that exist only between parsing and building the final AST
	rDot       // lhs . rhs
	rPredicate // lhs [ rhs ]
	rGroup     // lhs { pairs }
	rOrderBy   // lhs ^ (terms)
	rFocus     // lhs @ $str
	rIndex     // lhs # $str
)

// node is a node of the abstract syntax tree. A compiled expression's tree is
// never modified after Compile, so it can be shared across goroutines.
type node struct {
	kind kind
	pos  int
	op   string
	str  string
	num  float64
	val  any
	re   *regexLiteral

	lhs, rhs *node
	items    []*node // array items, block expressions, call arguments
	steps    []*node // path steps
	pairs    [][2]*node

	// lambda
	params []string
	sig    *signature
	body   *node
	thunk  bool // a tail call, evaluated by the trampoline in apply

	// condition
	cond, then, els *node

	// transform
	pattern, update, del *node

	// sort
	terms []sortTerm

	// annotations of a step (or of any expression, for predicates and group)
	stages             []stage // predicates and index bindings of a path step
	predicates         []*node // predicates of a non-path expression
	group              *groupBy
	focus              string // @$focus
	index              string // #$index
	tuple              bool   // step evaluated as a tuple stream
	keepArray          bool   // [] suffix
	consArray          bool   // array constructor as first or last path step
	keepSingletonArray bool   // path: some step has []
	ancestor           *slot  // name/wildcard step whose input is a parent
	slot               *slot  // kParent
	seekingParent      []*slot
	simple             bool // path: steps each give one value; see evalPath
}

// stage is a predicate filter or an index binding on a path step.
type stage struct {
	filter *node
	index  string // when filter is nil: bind the position to this variable
	pos    int
}

// sortTerm is one term of an order-by clause.
type sortTerm struct {
	expr       *node
	descending bool
}

// groupBy is an object constructor applied to the result of an expression.
type groupBy struct {
	pairs [][2]*node
	pos   int
}

// slot links a parent operator to the step whose input it refers to: label
// is the variable the tuple stream binds that input to, level how many steps
// remain to walk back.
type slot struct {
	label string
	level int
	index int
}
