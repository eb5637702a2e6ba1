//go:build !purego

#include "textflag.h"

// func gradSum40(dz, dy, y *float32, blocks int, acc *float32, mask int)
// For blocks blocks of 40 elements: d = dy where y > 0 as int32 (y > 0 as
// a float), else 0, if mask != 0, else d = dy; dz = d; acc[0:40] += d.
// The sums of 40 lanes run as 5 independent chains.
TEXT ·gradSum40(SB), NOSPLIT, $0-48
	MOVQ dz+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ blocks+24(FP), CX
	MOVQ acc+32(FP), BX
	MOVQ mask+40(FP), R8
	VMOVUPS 0(BX), Y0
	VMOVUPS 32(BX), Y1
	VMOVUPS 64(BX), Y2
	VMOVUPS 96(BX), Y3
	VMOVUPS 128(BX), Y4
	VPXOR Y15, Y15, Y15
	TESTQ CX, CX
	JE    gsdone
	TESTQ R8, R8
	JE    gslinear
gsmasked:
	VMOVDQU  0(DX), Y5
	VPCMPGTD Y15, Y5, Y6
	VPAND    0(SI), Y6, Y7
	VMOVDQU  Y7, 0(DI)
	VADDPS   Y7, Y0, Y0
	VMOVDQU  32(DX), Y5
	VPCMPGTD Y15, Y5, Y6
	VPAND    32(SI), Y6, Y7
	VMOVDQU  Y7, 32(DI)
	VADDPS   Y7, Y1, Y1
	VMOVDQU  64(DX), Y5
	VPCMPGTD Y15, Y5, Y6
	VPAND    64(SI), Y6, Y7
	VMOVDQU  Y7, 64(DI)
	VADDPS   Y7, Y2, Y2
	VMOVDQU  96(DX), Y5
	VPCMPGTD Y15, Y5, Y6
	VPAND    96(SI), Y6, Y7
	VMOVDQU  Y7, 96(DI)
	VADDPS   Y7, Y3, Y3
	VMOVDQU  128(DX), Y5
	VPCMPGTD Y15, Y5, Y6
	VPAND    128(SI), Y6, Y7
	VMOVDQU  Y7, 128(DI)
	VADDPS   Y7, Y4, Y4
	ADDQ $160, DI
	ADDQ $160, SI
	ADDQ $160, DX
	DECQ CX
	JNE  gsmasked
	JMP  gsdone
gslinear:
	VMOVUPS 0(SI), Y7
	VMOVUPS Y7, 0(DI)
	VADDPS  Y7, Y0, Y0
	VMOVUPS 32(SI), Y7
	VMOVUPS Y7, 32(DI)
	VADDPS  Y7, Y1, Y1
	VMOVUPS 64(SI), Y7
	VMOVUPS Y7, 64(DI)
	VADDPS  Y7, Y2, Y2
	VMOVUPS 96(SI), Y7
	VMOVUPS Y7, 96(DI)
	VADDPS  Y7, Y3, Y3
	VMOVUPS 128(SI), Y7
	VMOVUPS Y7, 128(DI)
	VADDPS  Y7, Y4, Y4
	ADDQ $160, DI
	ADDQ $160, SI
	DECQ CX
	JNE  gslinear
gsdone:
	VMOVUPS Y0, 0(BX)
	VMOVUPS Y1, 32(BX)
	VMOVUPS Y2, 64(BX)
	VMOVUPS Y3, 96(BX)
	VMOVUPS Y4, 128(BX)
	VZEROUPPER
	RET
