//go:build !purego

#include "textflag.h"

// func conv4x20(k0, k1 int, a0, a1 *float32, ars, aps int, b0, b1 *float32, ldb int, c *float32, ldc int, bias *float32, relu, blocks int)
// C[i][j] = act(bias[j] + sum_p a0[i*ars+p*aps] b0[p*ldb+j] + sum_p a1[i*ars+p*aps] b1[p*ldb+j])
// for i < 4, j < 20: one sum of products from zero, fused, over tap 0's k0
// terms then tap 1's k1, plus the bias; act is relu when relu != 0 (a set
// sign bit clears the element, as conv's relu does), else the identity. C
// is written, not read.
//
// The 4x20 block is 10 ymm accumulators, not 12 with an xmm for each row's
// last 4 columns: columns 16-19 of rows i and i+1 share one ymm (row i in
// the low lanes), against B's columns 16-19 in both halves and a blend of
// the two rows' broadcasts of A. So a step of k is 10 FMAs for 80 products.
//
// It runs blocks blocks of 4 rows, each 4 rows of A and C past the last.
TEXT ·conv4x20(SB), NOSPLIT, $0-112
	MOVQ ars+32(FP), R8
	SHLQ $2, R8
	MOVQ aps+40(FP), R9
	SHLQ $2, R9
	MOVQ ldb+64(FP), R10
	SHLQ $2, R10
cblock:
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15
	MOVQ k0+0(FP), CX
	MOVQ a0+16(FP), SI
	MOVQ b0+48(FP), DI
	TESTQ CX, CX
	JE    ctap1
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	XORQ AX, AX
ctap0:
	VMOVUPS        (DI), Y0
	VMOVUPS        32(DI), Y1
	VBROADCASTF128 64(DI), Y2
	VBROADCASTSS (SI)(AX*1), Y3
	VBROADCASTSS (R12)(AX*1), Y4
	VBLENDPS     $0xF0, Y4, Y3, Y5 // row i's A in the low lanes, row i+1's in the high
	VFMADD231PS  Y0, Y3, Y6
	VFMADD231PS  Y1, Y3, Y7
	VFMADD231PS  Y0, Y4, Y8
	VFMADD231PS  Y1, Y4, Y9
	VFMADD231PS  Y2, Y5, Y10
	VBROADCASTSS (R13)(AX*1), Y3
	VBROADCASTSS (R14)(AX*1), Y4
	VBLENDPS     $0xF0, Y4, Y3, Y5 // row i's A in the low lanes, row i+1's in the high
	VFMADD231PS  Y0, Y3, Y11
	VFMADD231PS  Y1, Y3, Y12
	VFMADD231PS  Y0, Y4, Y13
	VFMADD231PS  Y1, Y4, Y14
	VFMADD231PS  Y2, Y5, Y15
	ADDQ R9, AX
	ADDQ R10, DI
	DECQ CX
	JNE  ctap0
ctap1:
	MOVQ k1+8(FP), CX
	MOVQ a1+24(FP), SI
	MOVQ b1+56(FP), DI
	TESTQ CX, CX
	JE    cstore
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	XORQ AX, AX
ctap1loop:
	VMOVUPS        (DI), Y0
	VMOVUPS        32(DI), Y1
	VBROADCASTF128 64(DI), Y2
	VBROADCASTSS (SI)(AX*1), Y3
	VBROADCASTSS (R12)(AX*1), Y4
	VBLENDPS     $0xF0, Y4, Y3, Y5 // row i's A in the low lanes, row i+1's in the high
	VFMADD231PS  Y0, Y3, Y6
	VFMADD231PS  Y1, Y3, Y7
	VFMADD231PS  Y0, Y4, Y8
	VFMADD231PS  Y1, Y4, Y9
	VFMADD231PS  Y2, Y5, Y10
	VBROADCASTSS (R13)(AX*1), Y3
	VBROADCASTSS (R14)(AX*1), Y4
	VBLENDPS     $0xF0, Y4, Y3, Y5 // row i's A in the low lanes, row i+1's in the high
	VFMADD231PS  Y0, Y3, Y11
	VFMADD231PS  Y1, Y3, Y12
	VFMADD231PS  Y0, Y4, Y13
	VFMADD231PS  Y1, Y4, Y14
	VFMADD231PS  Y2, Y5, Y15
	ADDQ R9, AX
	ADDQ R10, DI
	DECQ CX
	JNE  ctap1loop
cstore:
	MOVQ c+72(FP), DX
	MOVQ ldc+80(FP), R11
	SHLQ $2, R11
	MOVQ bias+88(FP), BX
	VMOVUPS        (BX), Y0
	VMOVUPS        32(BX), Y1
	VBROADCASTF128 64(BX), Y2
	VADDPS Y0, Y6, Y6
	VADDPS Y1, Y7, Y7
	VADDPS Y0, Y8, Y8
	VADDPS Y1, Y9, Y9
	VADDPS Y2, Y10, Y10
	VADDPS Y0, Y11, Y11
	VADDPS Y1, Y12, Y12
	VADDPS Y0, Y13, Y13
	VADDPS Y1, Y14, Y14
	VADDPS Y2, Y15, Y15
	MOVQ  relu+96(FP), BX
	TESTQ BX, BX
	JE    cwrite
	VPSRAD $31, Y6, Y3
	VPANDN Y6, Y3, Y6
	VPSRAD $31, Y7, Y3
	VPANDN Y7, Y3, Y7
	VPSRAD $31, Y8, Y3
	VPANDN Y8, Y3, Y8
	VPSRAD $31, Y9, Y3
	VPANDN Y9, Y3, Y9
	VPSRAD $31, Y10, Y3
	VPANDN Y10, Y3, Y10
	VPSRAD $31, Y11, Y3
	VPANDN Y11, Y3, Y11
	VPSRAD $31, Y12, Y3
	VPANDN Y12, Y3, Y12
	VPSRAD $31, Y13, Y3
	VPANDN Y13, Y3, Y13
	VPSRAD $31, Y14, Y3
	VPANDN Y14, Y3, Y14
	VPSRAD $31, Y15, Y3
	VPANDN Y15, Y3, Y15
cwrite:
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	VMOVUPS X10, 64(DX)
	ADDQ    R11, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	VEXTRACTF128 $1, Y10, 64(DX)
	ADDQ    R11, DX
	VMOVUPS Y11, (DX)
	VMOVUPS Y12, 32(DX)
	VMOVUPS X15, 64(DX)
	ADDQ    R11, DX
	VMOVUPS Y13, (DX)
	VMOVUPS Y14, 32(DX)
	VEXTRACTF128 $1, Y15, 64(DX)
	// The next block: 4 rows of A and C on.
	ADDQ R11, DX
	MOVQ DX, c+72(FP)
	MOVQ R8, AX
	SHLQ $2, AX
	ADDQ AX, a0+16(FP)
	ADDQ AX, a1+24(FP)
	DECQ blocks+104(FP)
	JNE  cblock
	VZEROUPPER
	RET

// func conv8x10(k0, k1 int, a0, a1 *float32, ars, aps int, b0, b1 *float32, ldb int, c *float32, ldc int, bias *float32, relu, blocks int)
// conv4x20 for blocks of 8 rows by 10 columns: C[i][j] = act(bias[j] +
// sum_p a0[i*ars+p*aps] b0[p*ldb+j] + sum_p a1[i*ars+p*aps] b1[p*ldb+j]) for
// i < 8, j < 10, blocks times, 8 rows of A and C on each time.
//
// Columns 0-7 of each row are one ymm accumulator; columns 8 and 9 of 4
// rows share one ([r0c8 r0c9 r1c8 r1c9 ...]), against B's columns 8, 9
// four times and a blend of the 4 rows' broadcasts of A. So a step of k is
// 10 FMAs for 80 products.
TEXT ·conv8x10(SB), NOSPLIT, $0-112
	MOVQ ars+32(FP), R8
	SHLQ $2, R8
	MOVQ aps+40(FP), R9
	SHLQ $2, R9
	MOVQ ldb+64(FP), R10
	SHLQ $2, R10
dblock:
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15
	MOVQ k0+0(FP), CX
	MOVQ a0+16(FP), SI
	MOVQ b0+48(FP), DI
	TESTQ CX, CX
	JE    dtap1
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	LEAQ (R14)(R8*1), BX
	LEAQ (BX)(R8*1), DX
	LEAQ (DX)(R8*1), R11
	LEAQ (R11)(R8*1), R15
	XORQ AX, AX
dtap0:
	VMOVUPS      (DI), Y0
	VBROADCASTSD 32(DI), Y1 // columns 8, 9 four times
	VBROADCASTSS (SI)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y6
	VMOVAPS      Y2, Y4
	VBROADCASTSS (R12)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y7
	VBLENDPS     $0x0C, Y3, Y4, Y4
	VBROADCASTSS (R13)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y8
	VBLENDPS     $0x30, Y2, Y4, Y4
	VBROADCASTSS (R14)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y9
	VBLENDPS     $0xC0, Y3, Y4, Y4
	VFMADD231PS  Y1, Y4, Y14
	VBROADCASTSS (BX)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y10
	VMOVAPS      Y2, Y4
	VBROADCASTSS (DX)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y11
	VBLENDPS     $0x0C, Y3, Y4, Y4
	VBROADCASTSS (R11)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y12
	VBLENDPS     $0x30, Y2, Y4, Y4
	VBROADCASTSS (R15)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y13
	VBLENDPS     $0xC0, Y3, Y4, Y4
	VFMADD231PS  Y1, Y4, Y15
	ADDQ R9, AX
	ADDQ R10, DI
	DECQ CX
	JNE  dtap0
dtap1:
	MOVQ k1+8(FP), CX
	MOVQ a1+24(FP), SI
	MOVQ b1+56(FP), DI
	TESTQ CX, CX
	JE    dstore
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	LEAQ (R14)(R8*1), BX
	LEAQ (BX)(R8*1), DX
	LEAQ (DX)(R8*1), R11
	LEAQ (R11)(R8*1), R15
	XORQ AX, AX
dtap1loop:
	VMOVUPS      (DI), Y0
	VBROADCASTSD 32(DI), Y1 // columns 8, 9 four times
	VBROADCASTSS (SI)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y6
	VMOVAPS      Y2, Y4
	VBROADCASTSS (R12)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y7
	VBLENDPS     $0x0C, Y3, Y4, Y4
	VBROADCASTSS (R13)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y8
	VBLENDPS     $0x30, Y2, Y4, Y4
	VBROADCASTSS (R14)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y9
	VBLENDPS     $0xC0, Y3, Y4, Y4
	VFMADD231PS  Y1, Y4, Y14
	VBROADCASTSS (BX)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y10
	VMOVAPS      Y2, Y4
	VBROADCASTSS (DX)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y11
	VBLENDPS     $0x0C, Y3, Y4, Y4
	VBROADCASTSS (R11)(AX*1), Y2
	VFMADD231PS  Y0, Y2, Y12
	VBLENDPS     $0x30, Y2, Y4, Y4
	VBROADCASTSS (R15)(AX*1), Y3
	VFMADD231PS  Y0, Y3, Y13
	VBLENDPS     $0xC0, Y3, Y4, Y4
	VFMADD231PS  Y1, Y4, Y15
	ADDQ R9, AX
	ADDQ R10, DI
	DECQ CX
	JNE  dtap1loop
dstore:
	MOVQ c+72(FP), DX
	MOVQ ldc+80(FP), R11
	SHLQ $2, R11
	MOVQ bias+88(FP), BX
	VMOVUPS      (BX), Y0
	VBROADCASTSD 32(BX), Y1
	VADDPS Y0, Y6, Y6
	VADDPS Y0, Y7, Y7
	VADDPS Y0, Y8, Y8
	VADDPS Y0, Y9, Y9
	VADDPS Y0, Y10, Y10
	VADDPS Y0, Y11, Y11
	VADDPS Y0, Y12, Y12
	VADDPS Y0, Y13, Y13
	VADDPS Y1, Y14, Y14
	VADDPS Y1, Y15, Y15
	MOVQ  relu+96(FP), BX
	TESTQ BX, BX
	JE    dwrite
	VPSRAD $31, Y6, Y3
	VPANDN Y6, Y3, Y6
	VPSRAD $31, Y7, Y3
	VPANDN Y7, Y3, Y7
	VPSRAD $31, Y8, Y3
	VPANDN Y8, Y3, Y8
	VPSRAD $31, Y9, Y3
	VPANDN Y9, Y3, Y9
	VPSRAD $31, Y10, Y3
	VPANDN Y10, Y3, Y10
	VPSRAD $31, Y11, Y3
	VPANDN Y11, Y3, Y11
	VPSRAD $31, Y12, Y3
	VPANDN Y12, Y3, Y12
	VPSRAD $31, Y13, Y3
	VPANDN Y13, Y3, Y13
	VPSRAD $31, Y14, Y3
	VPANDN Y14, Y3, Y14
	VPSRAD $31, Y15, Y3
	VPANDN Y15, Y3, Y15
dwrite:
	VEXTRACTF128 $1, Y14, X5
	VMOVUPS Y6, (DX)
	VMOVQ   X14, 32(DX)
	ADDQ    R11, DX
	VMOVUPS Y7, (DX)
	VPEXTRQ $1, X14, 32(DX)
	ADDQ    R11, DX
	VMOVUPS Y8, (DX)
	VMOVQ   X5, 32(DX)
	ADDQ    R11, DX
	VMOVUPS Y9, (DX)
	VPEXTRQ $1, X5, 32(DX)
	ADDQ    R11, DX
	VEXTRACTF128 $1, Y15, X5
	VMOVUPS Y10, (DX)
	VMOVQ   X15, 32(DX)
	ADDQ    R11, DX
	VMOVUPS Y11, (DX)
	VPEXTRQ $1, X15, 32(DX)
	ADDQ    R11, DX
	VMOVUPS Y12, (DX)
	VMOVQ   X5, 32(DX)
	ADDQ    R11, DX
	VMOVUPS Y13, (DX)
	VPEXTRQ $1, X5, 32(DX)
	ADDQ    R11, DX
	// The next block: 8 rows of A and C on.
	MOVQ DX, c+72(FP)
	MOVQ R8, AX
	SHLQ $3, AX
	ADDQ AX, a0+16(FP)
	ADDQ AX, a1+24(FP)
	DECQ blocks+104(FP)
	JNE  dblock
	VZEROUPPER
	RET
