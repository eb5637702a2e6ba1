// Package safetensors reads and writes the safetensors file format: an
// 8-byte little-endian header length, a JSON header that gives each
// tensor's dtype, shape and byte range, and the tensors' raw little-endian
// data, back to back. Any safetensors reader (PyTorch's, Hugging Face's)
// opens what Encode writes, and Decode opens what they write.
//
// Decode checks every entry before it returns anything: known dtypes, byte
// ranges that match the shapes and tile the data exactly, a bounded header.
// Its errors wrap ErrFormat and name the tensor.
package safetensors
