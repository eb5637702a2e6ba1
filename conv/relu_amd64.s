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
