//go:build !purego

#include "textflag.h"

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
