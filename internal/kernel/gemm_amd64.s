//go:build !purego

#include "textflag.h"

// func cpuidFMA() bool
// Reports AVX2 and FMA support, with the OS saving YMM state (XGETBV).
TEXT ·cpuidFMA(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	// ECX bit 12 FMA, bit 27 OSXSAVE, bit 28 AVX.
	MOVL CX, R8
	ANDL $0x18001000, R8
	CMPL R8, $0x18001000
	JNE  no
	XORL CX, CX
	XGETBV
	ANDL $6, AX
	CMPL AX, $6
	JNE  no
	MOVL $7, AX
	XORL CX, CX
	CPUID
	// EBX bit 5 AVX2.
	ANDL $0x20, BX
	JE   no
	MOVB $1, ret+0(FP)
	RET
no:
	MOVB $0, ret+0(FP)
	RET

// func gemm4x16(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)
// C[i][j] += sum_p a[i*ars+p*aps] * b[p*ldb+j] for i < 4, j < 16.
TEXT ·gemm4x16(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R8
	MOVQ aps+24(FP), R9
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R10
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R11
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	SHLQ $2, R11
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JE    store16

loop16:
	VMOVUPS      (DI), Y0
	VMOVUPS      32(DI), Y1
	VBROADCASTSS (SI), Y2
	VFMADD231PS  Y0, Y2, Y4
	VFMADD231PS  Y1, Y2, Y5
	VBROADCASTSS (R12), Y3
	VFMADD231PS  Y0, Y3, Y6
	VFMADD231PS  Y1, Y3, Y7
	VBROADCASTSS (R13), Y2
	VFMADD231PS  Y0, Y2, Y8
	VFMADD231PS  Y1, Y2, Y9
	VBROADCASTSS (R14), Y3
	VFMADD231PS  Y0, Y3, Y10
	VFMADD231PS  Y1, Y3, Y11
	ADDQ         R9, SI
	ADDQ         R9, R12
	ADDQ         R9, R13
	ADDQ         R9, R14
	ADDQ         R10, DI
	DECQ         CX
	JNE          loop16

store16:
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS  32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	ADDQ    R11, DX
	VADDPS  (DX), Y6, Y6
	VMOVUPS Y6, (DX)
	VADDPS  32(DX), Y7, Y7
	VMOVUPS Y7, 32(DX)
	ADDQ    R11, DX
	VADDPS  (DX), Y8, Y8
	VMOVUPS Y8, (DX)
	VADDPS  32(DX), Y9, Y9
	VMOVUPS Y9, 32(DX)
	ADDQ    R11, DX
	VADDPS  (DX), Y10, Y10
	VMOVUPS Y10, (DX)
	VADDPS  32(DX), Y11, Y11
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

// func gemm4x8(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)
// As gemm4x16 for j < 8.
TEXT ·gemm4x8(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R8
	MOVQ aps+24(FP), R9
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R10
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R11
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	SHLQ $2, R11
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	VXORPS Y4, Y4, Y4
	VXORPS Y6, Y6, Y6
	VXORPS Y8, Y8, Y8
	VXORPS Y10, Y10, Y10
	TESTQ CX, CX
	JE    store8

loop8:
	VMOVUPS      (DI), Y0
	VBROADCASTSS (SI), Y2
	VFMADD231PS  Y0, Y2, Y4
	VBROADCASTSS (R12), Y3
	VFMADD231PS  Y0, Y3, Y6
	VBROADCASTSS (R13), Y2
	VFMADD231PS  Y0, Y2, Y8
	VBROADCASTSS (R14), Y3
	VFMADD231PS  Y0, Y3, Y10
	ADDQ         R9, SI
	ADDQ         R9, R12
	ADDQ         R9, R13
	ADDQ         R9, R14
	ADDQ         R10, DI
	DECQ         CX
	JNE          loop8

store8:
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	ADDQ    R11, DX
	VADDPS  (DX), Y6, Y6
	VMOVUPS Y6, (DX)
	ADDQ    R11, DX
	VADDPS  (DX), Y8, Y8
	VMOVUPS Y8, (DX)
	ADDQ    R11, DX
	VADDPS  (DX), Y10, Y10
	VMOVUPS Y10, (DX)
	VZEROUPPER
	RET

// func gemm4x4(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)
// As gemm4x16 for j < 4, in XMM registers.
TEXT ·gemm4x4(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R8
	MOVQ aps+24(FP), R9
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R10
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R11
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	SHLQ $2, R11
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	VXORPS X4, X4, X4
	VXORPS X6, X6, X6
	VXORPS X8, X8, X8
	VXORPS X10, X10, X10
	TESTQ CX, CX
	JE    store4

loop4:
	VMOVUPS      (DI), X0
	VBROADCASTSS (SI), X2
	VFMADD231PS  X0, X2, X4
	VBROADCASTSS (R12), X3
	VFMADD231PS  X0, X3, X6
	VBROADCASTSS (R13), X2
	VFMADD231PS  X0, X2, X8
	VBROADCASTSS (R14), X3
	VFMADD231PS  X0, X3, X10
	ADDQ         R9, SI
	ADDQ         R9, R12
	ADDQ         R9, R13
	ADDQ         R9, R14
	ADDQ         R10, DI
	DECQ         CX
	JNE          loop4

store4:
	VADDPS  (DX), X4, X4
	VMOVUPS X4, (DX)
	ADDQ    R11, DX
	VADDPS  (DX), X6, X6
	VMOVUPS X6, (DX)
	ADDQ    R11, DX
	VADDPS  (DX), X8, X8
	VMOVUPS X8, (DX)
	ADDQ    R11, DX
	VADDPS  (DX), X10, X10
	VMOVUPS X10, (DX)
	VZEROUPPER
	RET

// func gemm4x20(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)
// C[i][j] += sum_p a[i*ars+p*aps] * b[p*ldb+j] for i < 4, j < 20: the
// 20-channel layers in one call, 12 accumulators (two ymm and one xmm a
// row), where gemm32 would run a 4x16 and a 4x4 block, each bound by
// the FMA latency of its k loop.
TEXT ·gemm4x20(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R8
	MOVQ aps+24(FP), R9
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R10
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R11
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	SHLQ $2, R11
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
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
	TESTQ CX, CX
	JE    store20

loop20:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), X2
	VBROADCASTSS (SI), Y3
	VFMADD231PS  Y0, Y3, Y4
	VFMADD231PS  Y1, Y3, Y5
	VFMADD231PS  X2, X3, X6
	VBROADCASTSS (R12), Y3
	VFMADD231PS  Y0, Y3, Y7
	VFMADD231PS  Y1, Y3, Y8
	VFMADD231PS  X2, X3, X9
	VBROADCASTSS (R13), Y3
	VFMADD231PS  Y0, Y3, Y10
	VFMADD231PS  Y1, Y3, Y11
	VFMADD231PS  X2, X3, X12
	VBROADCASTSS (R14), Y3
	VFMADD231PS  Y0, Y3, Y13
	VFMADD231PS  Y1, Y3, Y14
	VFMADD231PS  X2, X3, X15
	ADDQ R9, SI
	ADDQ R9, R12
	ADDQ R9, R13
	ADDQ R9, R14
	ADDQ R10, DI
	DECQ CX
	JNE  loop20

store20:
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS  32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	VADDPS  64(DX), X6, X6
	VMOVUPS X6, 64(DX)
	ADDQ    R11, DX
	VADDPS  (DX), Y7, Y7
	VMOVUPS Y7, (DX)
	VADDPS  32(DX), Y8, Y8
	VMOVUPS Y8, 32(DX)
	VADDPS  64(DX), X9, X9
	VMOVUPS X9, 64(DX)
	ADDQ    R11, DX
	VADDPS  (DX), Y10, Y10
	VMOVUPS Y10, (DX)
	VADDPS  32(DX), Y11, Y11
	VMOVUPS Y11, 32(DX)
	VADDPS  64(DX), X12, X12
	VMOVUPS X12, 64(DX)
	ADDQ    R11, DX
	VADDPS  (DX), Y13, Y13
	VMOVUPS Y13, (DX)
	VADDPS  32(DX), Y14, Y14
	VMOVUPS Y14, 32(DX)
	VADDPS  64(DX), X15, X15
	VMOVUPS X15, 64(DX)
	VZEROUPPER
	RET

// func gemm1x64(k int, a *float32, aps int, b *float32, ldb int, c *float32)
// C[j] += sum_p a[p*aps] * b[p*ldb+j] for j < 64: one row, 8 independent
// accumulators, so the k loop is bound by FMA throughput, not latency.
TEXT ·gemm1x64(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ aps+16(FP), R9
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R10
	MOVQ c+40(FP), DX
	SHLQ $2, R9
	SHLQ $2, R10
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JE    storegemm1x64
loopgemm1x64:
	VBROADCASTSS (SI), Y0
	VFMADD231PS (DI), Y0, Y4
	VFMADD231PS 32(DI), Y0, Y5
	VFMADD231PS 64(DI), Y0, Y6
	VFMADD231PS 96(DI), Y0, Y7
	VFMADD231PS 128(DI), Y0, Y8
	VFMADD231PS 160(DI), Y0, Y9
	VFMADD231PS 192(DI), Y0, Y10
	VFMADD231PS 224(DI), Y0, Y11
	ADDQ R9, SI
	ADDQ R10, DI
	DECQ CX
	JNE  loopgemm1x64
storegemm1x64:
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS  32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	VADDPS  64(DX), Y6, Y6
	VMOVUPS Y6, 64(DX)
	VADDPS  96(DX), Y7, Y7
	VMOVUPS Y7, 96(DX)
	VADDPS  128(DX), Y8, Y8
	VMOVUPS Y8, 128(DX)
	VADDPS  160(DX), Y9, Y9
	VMOVUPS Y9, 160(DX)
	VADDPS  192(DX), Y10, Y10
	VMOVUPS Y10, 192(DX)
	VADDPS  224(DX), Y11, Y11
	VMOVUPS Y11, 224(DX)
	VZEROUPPER
	RET

// func gemm1x32(k int, a *float32, aps int, b *float32, ldb int, c *float32)
// C[j] += sum_p a[p*aps] * b[p*ldb+j] for j < 32: one row, 4 independent
// accumulators, so the k loop is bound by FMA throughput, not latency.
TEXT ·gemm1x32(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ aps+16(FP), R9
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R10
	MOVQ c+40(FP), DX
	SHLQ $2, R9
	SHLQ $2, R10
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JE    storegemm1x32
loopgemm1x32:
	VBROADCASTSS (SI), Y0
	VFMADD231PS (DI), Y0, Y4
	VFMADD231PS 32(DI), Y0, Y5
	VFMADD231PS 64(DI), Y0, Y6
	VFMADD231PS 96(DI), Y0, Y7
	ADDQ R9, SI
	ADDQ R10, DI
	DECQ CX
	JNE  loopgemm1x32
storegemm1x32:
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS  32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	VADDPS  64(DX), Y6, Y6
	VMOVUPS Y6, 64(DX)
	VADDPS  96(DX), Y7, Y7
	VMOVUPS Y7, 96(DX)
	VZEROUPPER
	RET

// func gemm1x16(k int, a *float32, aps int, b *float32, ldb int, c *float32)
// C[j] += sum_p a[p*aps] * b[p*ldb+j] for j < 16: one row, 2 independent
// accumulators, so the k loop is bound by FMA throughput, not latency.
TEXT ·gemm1x16(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ aps+16(FP), R9
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R10
	MOVQ c+40(FP), DX
	SHLQ $2, R9
	SHLQ $2, R10
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	TESTQ CX, CX
	JE    storegemm1x16
loopgemm1x16:
	VBROADCASTSS (SI), Y0
	VFMADD231PS (DI), Y0, Y4
	VFMADD231PS 32(DI), Y0, Y5
	ADDQ R9, SI
	ADDQ R10, DI
	DECQ CX
	JNE  loopgemm1x16
storegemm1x16:
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS  32(DX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	VZEROUPPER
	RET

// func gemm1x8(k int, a *float32, aps int, b *float32, ldb int, c *float32)
// C[j] += sum_p a[p*aps] * b[p*ldb+j] for j < 8: one row, 1 independent
// accumulators, so the k loop is bound by FMA throughput, not latency.
TEXT ·gemm1x8(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ aps+16(FP), R9
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R10
	MOVQ c+40(FP), DX
	SHLQ $2, R9
	SHLQ $2, R10
	VXORPS Y4, Y4, Y4
	TESTQ CX, CX
	JE    storegemm1x8
loopgemm1x8:
	VBROADCASTSS (SI), Y0
	VFMADD231PS (DI), Y0, Y4
	ADDQ R9, SI
	ADDQ R10, DI
	DECQ CX
	JNE  loopgemm1x8
storegemm1x8:
	VADDPS  (DX), Y4, Y4
	VMOVUPS Y4, (DX)
	VZEROUPPER
	RET

// func gemm4x16b(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int, bias *float32)
// C[i][j] = bias[j] + sum_p a[i*ars+p*aps] * b[p*ldb+j] for i < 4, j < 16:
// gemm4x16 with the bias in place of C's old values.
TEXT ·gemm4x16b(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ ars+16(FP), R8
	MOVQ aps+24(FP), R9
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R10
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R11
	MOVQ bias+64(FP), BX
	SHLQ $2, R8
	SHLQ $2, R9
	SHLQ $2, R10
	SHLQ $2, R11
	LEAQ (SI)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	LEAQ (R13)(R8*1), R14
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JE    store16b

loop16b:
	VMOVUPS      (DI), Y0
	VMOVUPS      32(DI), Y1
	VBROADCASTSS (SI), Y2
	VFMADD231PS  Y0, Y2, Y4
	VFMADD231PS  Y1, Y2, Y5
	VBROADCASTSS (R12), Y3
	VFMADD231PS  Y0, Y3, Y6
	VFMADD231PS  Y1, Y3, Y7
	VBROADCASTSS (R13), Y2
	VFMADD231PS  Y0, Y2, Y8
	VFMADD231PS  Y1, Y2, Y9
	VBROADCASTSS (R14), Y3
	VFMADD231PS  Y0, Y3, Y10
	VFMADD231PS  Y1, Y3, Y11
	ADDQ         R9, SI
	ADDQ         R9, R12
	ADDQ         R9, R13
	ADDQ         R9, R14
	ADDQ         R10, DI
	DECQ         CX
	JNE          loop16b

store16b:
	VADDPS  (BX), Y4, Y4
	VMOVUPS Y4, (DX)
	VADDPS  32(BX), Y5, Y5
	VMOVUPS Y5, 32(DX)
	ADDQ    R11, DX
	VADDPS  (BX), Y6, Y6
	VMOVUPS Y6, (DX)
	VADDPS  32(BX), Y7, Y7
	VMOVUPS Y7, 32(DX)
	ADDQ    R11, DX
	VADDPS  (BX), Y8, Y8
	VMOVUPS Y8, (DX)
	VADDPS  32(BX), Y9, Y9
	VMOVUPS Y9, 32(DX)
	ADDQ    R11, DX
	VADDPS  (BX), Y10, Y10
	VMOVUPS Y10, (DX)
	VADDPS  32(BX), Y11, Y11
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

