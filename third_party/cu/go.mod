module gorgonia.org/cu

go 1.13

require (
	github.com/google/uuid v1.1.1
	github.com/pkg/errors v0.9.1
	gonum.org/v1/gonum v0.8.2
)
