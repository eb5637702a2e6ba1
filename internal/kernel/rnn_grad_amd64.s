//go:build !purego

#include "textflag.h"

DATA rnnone<>+0(SB)/4, $0x3f800000
GLOBL rnnone<>(SB), RODATA|NOPTR, $4

// LSTMGRAD8 is LSTMGrad (rnn_grad.go) on the 8 values at byte offset AX,
// in the Go loop's operations and order; Y15 holds 1.
#define LSTMGRAD8 \
	VMOVUPS (CX)(AX*1), Y0; \
	VMULPS  Y0, Y0, Y1; \
	VSUBPS  Y1, Y15, Y1; \
	VMOVUPS (R11)(AX*1), Y2; \
	VMOVUPS (BX)(AX*1), Y3; \
	VMULPS  Y3, Y2, Y4; \
	VMULPS  Y1, Y4, Y4; \
	VADDPS  (R12)(AX*1), Y4, Y5; \
	VMULPS  Y0, Y2, Y6; \
	VSUBPS  Y3, Y15, Y7; \
	VMULPS  Y7, Y3, Y7; \
	VMULPS  Y7, Y6, Y6; \
	VMOVUPS Y6, (R9)(AX*1); \
	VMOVUPS (R13)(AX*1), Y8; \
	VMOVUPS (R15)(AX*1), Y9; \
	VMULPS  Y9, Y5, Y10; \
	VSUBPS  Y8, Y15, Y11; \
	VMULPS  Y11, Y8, Y11; \
	VMULPS  Y11, Y10, Y10; \
	VMOVUPS Y10, (SI)(AX*1); \
	VMULPS  Y8, Y5, Y10; \
	VMULPS  Y9, Y9, Y11; \
	VSUBPS  Y11, Y15, Y11; \
	VMULPS  Y11, Y10, Y10; \
	VMOVUPS Y10, (R8)(AX*1); \
	VMOVUPS (R14)(AX*1), Y8; \
	VMULPS  (DX)(AX*1), Y5, Y10; \
	VSUBPS  Y8, Y15, Y11; \
	VMULPS  Y11, Y8, Y11; \
	VMULPS  Y11, Y10, Y10; \
	VMOVUPS Y10, (DI)(AX*1); \
	VMULPS  Y8, Y5, Y10; \
	VMOVUPS Y10, (R10)(AX*1)

// func lstmGrad8(zi, zf, zg, zo, dcp, dh, dc, i, f, gg, o, ac, cp *float32, n int)
// n >= 8.
TEXT ·lstmGrad8(SB), NOSPLIT, $8-112
	MOVQ zi+0(FP), SI
	MOVQ zf+8(FP), DI
	MOVQ zg+16(FP), R8
	MOVQ zo+24(FP), R9
	MOVQ dcp+32(FP), R10
	MOVQ dh+40(FP), R11
	MOVQ dc+48(FP), R12
	MOVQ i+56(FP), R13
	MOVQ f+64(FP), R14
	MOVQ gg+72(FP), R15
	MOVQ o+80(FP), BX
	MOVQ ac+88(FP), CX
	MOVQ cp+96(FP), DX
	VBROADCASTSS rnnone<>(SB), Y15
	MOVQ n+104(FP), AX
	SHLQ $2, AX
	SUBQ $32, AX
	MOVQ AX, last-8(SP) // byte offset of the last 8 values
	XORQ AX, AX

lstmGradLoop:
	LSTMGRAD8
	ADDQ $32, AX
	CMPQ AX, last-8(SP)
	JLE  lstmGradLoop
	SUBQ $32, AX
	CMPQ AX, last-8(SP)
	JEQ  lstmGradDone
	MOVQ last-8(SP), AX
	LSTMGRAD8

lstmGradDone:
	VZEROUPPER
	RET

// GRUGRAD8 is GRUGrad (rnn_grad.go) on the 8 values at byte offset AX, in
// the Go loop's operations and order; Y15 holds 1.
#define GRUGRAD8 \
	VMOVUPS (R13)(AX*1), Y0; \
	VMOVUPS (R15)(AX*1), Y1; \
	VMOVUPS (CX)(AX*1), Y2; \
	VSUBPS  Y1, Y15, Y3; \
	VMULPS  Y3, Y0, Y4; \
	VMULPS  Y2, Y2, Y5; \
	VSUBPS  Y5, Y15, Y5; \
	VMULPS  Y5, Y4, Y4; \
	VMOVUPS Y4, (R8)(AX*1); \
	VMOVUPS (R14)(AX*1), Y6; \
	VSUBPS  Y2, Y6, Y6; \
	VMULPS  Y6, Y0, Y6; \
	VMULPS  Y3, Y1, Y7; \
	VMULPS  Y7, Y6, Y6; \
	VMOVUPS Y6, (SI)(AX*1); \
	VMOVUPS Y6, (R9)(AX*1); \
	VMOVUPS (BX)(AX*1), Y8; \
	VMULPS  (DX)(AX*1), Y4, Y9; \
	VSUBPS  Y8, Y15, Y10; \
	VMULPS  Y10, Y8, Y10; \
	VMULPS  Y10, Y9, Y9; \
	VMOVUPS Y9, (DI)(AX*1); \
	VMOVUPS Y9, (R10)(AX*1); \
	VMULPS  Y8, Y4, Y11; \
	VMOVUPS Y11, (R11)(AX*1); \
	VMULPS  Y1, Y0, Y12; \
	VMOVUPS Y12, (R12)(AX*1)

// func gruGrad8(xz, xr, xh, hz, hr, hh2, dhp, dh, hp, z, r, hh, uh *float32, n int)
// n >= 8.
TEXT ·gruGrad8(SB), NOSPLIT, $8-112
	MOVQ xz+0(FP), SI
	MOVQ xr+8(FP), DI
	MOVQ xh+16(FP), R8
	MOVQ hz+24(FP), R9
	MOVQ hr+32(FP), R10
	MOVQ hh2+40(FP), R11
	MOVQ dhp+48(FP), R12
	MOVQ dh+56(FP), R13
	MOVQ hp+64(FP), R14
	MOVQ z+72(FP), R15
	MOVQ r+80(FP), BX
	MOVQ hh+88(FP), CX
	MOVQ uh+96(FP), DX
	VBROADCASTSS rnnone<>(SB), Y15
	MOVQ n+104(FP), AX
	SHLQ $2, AX
	SUBQ $32, AX
	MOVQ AX, last-8(SP)
	XORQ AX, AX

gruGradLoop:
	GRUGRAD8
	ADDQ $32, AX
	CMPQ AX, last-8(SP)
	JLE  gruGradLoop
	SUBQ $32, AX
	CMPQ AX, last-8(SP)
	JEQ  gruGradDone
	MOVQ last-8(SP), AX
	GRUGRAD8

gruGradDone:
	VZEROUPPER
	RET

// func addRows(dst, a, b *float32, n, rows, stride int)
// n >= 8: mulRows (act_amd64.s) with an addition.
TEXT ·addRows(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), R8
	MOVQ n+24(FP), BX
	MOVQ rows+32(FP), R12
	MOVQ stride+40(FP), R13
	SHLQ $2, R13
	SHLQ $2, BX
	MOVQ BX, R14
	ANDQ $-32, R14
	MOVQ BX, DX
	SUBQ $32, DX
	TESTQ R12, R12
	JE   addRowsdone

addRowsrow:
	XORQ AX, AX

addRowsvec:
	VMOVUPS (SI)(AX*1), Y0
	VADDPS  (R8)(AX*1), Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R14
	JLT  addRowsvec
	CMPQ R14, BX
	JEQ  addRowsnext
	VMOVUPS (SI)(DX*1), Y0
	VADDPS  (R8)(DX*1), Y0, Y0
	VMOVUPS Y0, (DI)(DX*1)

addRowsnext:
	ADDQ R13, DI
	ADDQ R13, SI
	ADDQ R13, R8
	DECQ R12
	JNE  addRowsrow

addRowsdone:
	VZEROUPPER
	RET
