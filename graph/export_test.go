package graph

// PrimitiveMSE is primitiveMSE, for the tests of package graph_test.
var PrimitiveMSE = primitiveMSE

// PrimitivePinball is primitivePinball, for the tests of package graph_test.
var PrimitivePinball = primitivePinball
