module github.com/signalbox/signalbox

go 1.26

require (
	github.com/ohler55/ojg v1.28.5
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
