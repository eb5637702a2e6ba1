package graph

// maxSalt bounds the rebuilds after hash collisions; each rebuild changes
// every hash, so more than one is already unlikely.
const maxSalt = 8
