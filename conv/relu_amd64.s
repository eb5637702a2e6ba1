//go:build !purego

#include "textflag.h"

// func cpuidAVX2() bool
// Reports AVX2 and FMA support, with the OS saving YMM state (XGETBV).
TEXT ·cpuidAVX2(SB), NOSPLIT, $0-1
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

// func relu8(v *float32, n int)
TEXT ·relu8(SB), NOSPLIT, $0-16
	MOVQ v+0(FP), DI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	JZ   done
loop:
	VMOVDQU (DI), Y0
	VPSRAD  $31, Y0, Y1
	VPANDN  Y0, Y1, Y2 // Y2 = ^Y1 & Y0
	VMOVDQU Y2, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop
done:
	VZEROUPPER
	RET

// func reluGrad8(d, gr, y *float32, n int)
TEXT ·reluGrad8(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   done
	VPXOR Y15, Y15, Y15
loop:
	VMOVDQU  (DX), Y0
	VPCMPGTD Y15, Y0, Y1 // Y1 = Y0 > 0 (int32)
	VPAND    (SI), Y1, Y2
	VMOVDQU  Y2, (DI)
	ADDQ     $32, DI
	ADDQ     $32, SI
	ADDQ     $32, DX
	DECQ     CX
	JNZ      loop
done:
	VZEROUPPER
	RET

// func gemm4x20(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)
// C[i][j] += sum_p a[i*ars+p*aps] * b[p*ldb+j] for i < 4, j < 20: the
// 20-channel layers in one call, 12 accumulators (two ymm and one xmm a
// row), where internal/kernel runs a 4x16 and a 4x4 block, each bound by
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
