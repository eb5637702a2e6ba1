//go:build !purego

#include "textflag.h"

// Constants of Tanh32 (see act.go), each repeated 8 times for YMM operands.
DATA tanhk<>+0(SB)/4, $0x40fcf84f
DATA tanhk<>+4(SB)/4, $0x40fcf84f
DATA tanhk<>+8(SB)/4, $0x40fcf84f
DATA tanhk<>+12(SB)/4, $0x40fcf84f
DATA tanhk<>+16(SB)/4, $0x40fcf84f
DATA tanhk<>+20(SB)/4, $0x40fcf84f
DATA tanhk<>+24(SB)/4, $0x40fcf84f
DATA tanhk<>+28(SB)/4, $0x40fcf84f
DATA tanhk<>+32(SB)/4, $0xc0fcf84f
DATA tanhk<>+36(SB)/4, $0xc0fcf84f
DATA tanhk<>+40(SB)/4, $0xc0fcf84f
DATA tanhk<>+44(SB)/4, $0xc0fcf84f
DATA tanhk<>+48(SB)/4, $0xc0fcf84f
DATA tanhk<>+52(SB)/4, $0xc0fcf84f
DATA tanhk<>+56(SB)/4, $0xc0fcf84f
DATA tanhk<>+60(SB)/4, $0xc0fcf84f
DATA tanhk<>+64(SB)/4, $0x3ba059dc
DATA tanhk<>+68(SB)/4, $0x3ba059dc
DATA tanhk<>+72(SB)/4, $0x3ba059dc
DATA tanhk<>+76(SB)/4, $0x3ba059dc
DATA tanhk<>+80(SB)/4, $0x3ba059dc
DATA tanhk<>+84(SB)/4, $0x3ba059dc
DATA tanhk<>+88(SB)/4, $0x3ba059dc
DATA tanhk<>+92(SB)/4, $0x3ba059dc
DATA tanhk<>+96(SB)/4, $0x3a270ded
DATA tanhk<>+100(SB)/4, $0x3a270ded
DATA tanhk<>+104(SB)/4, $0x3a270ded
DATA tanhk<>+108(SB)/4, $0x3a270ded
DATA tanhk<>+112(SB)/4, $0x3a270ded
DATA tanhk<>+116(SB)/4, $0x3a270ded
DATA tanhk<>+120(SB)/4, $0x3a270ded
DATA tanhk<>+124(SB)/4, $0x3a270ded
DATA tanhk<>+128(SB)/4, $0x3779434a
DATA tanhk<>+132(SB)/4, $0x3779434a
DATA tanhk<>+136(SB)/4, $0x3779434a
DATA tanhk<>+140(SB)/4, $0x3779434a
DATA tanhk<>+144(SB)/4, $0x3779434a
DATA tanhk<>+148(SB)/4, $0x3779434a
DATA tanhk<>+152(SB)/4, $0x3779434a
DATA tanhk<>+156(SB)/4, $0x3779434a
DATA tanhk<>+160(SB)/4, $0x335c0041
DATA tanhk<>+164(SB)/4, $0x335c0041
DATA tanhk<>+168(SB)/4, $0x335c0041
DATA tanhk<>+172(SB)/4, $0x335c0041
DATA tanhk<>+176(SB)/4, $0x335c0041
DATA tanhk<>+180(SB)/4, $0x335c0041
DATA tanhk<>+184(SB)/4, $0x335c0041
DATA tanhk<>+188(SB)/4, $0x335c0041
DATA tanhk<>+192(SB)/4, $0xaebd37ff
DATA tanhk<>+196(SB)/4, $0xaebd37ff
DATA tanhk<>+200(SB)/4, $0xaebd37ff
DATA tanhk<>+204(SB)/4, $0xaebd37ff
DATA tanhk<>+208(SB)/4, $0xaebd37ff
DATA tanhk<>+212(SB)/4, $0xaebd37ff
DATA tanhk<>+216(SB)/4, $0xaebd37ff
DATA tanhk<>+220(SB)/4, $0xaebd37ff
DATA tanhk<>+224(SB)/4, $0x2a61337e
DATA tanhk<>+228(SB)/4, $0x2a61337e
DATA tanhk<>+232(SB)/4, $0x2a61337e
DATA tanhk<>+236(SB)/4, $0x2a61337e
DATA tanhk<>+240(SB)/4, $0x2a61337e
DATA tanhk<>+244(SB)/4, $0x2a61337e
DATA tanhk<>+248(SB)/4, $0x2a61337e
DATA tanhk<>+252(SB)/4, $0x2a61337e
DATA tanhk<>+256(SB)/4, $0xa59f25c0
DATA tanhk<>+260(SB)/4, $0xa59f25c0
DATA tanhk<>+264(SB)/4, $0xa59f25c0
DATA tanhk<>+268(SB)/4, $0xa59f25c0
DATA tanhk<>+272(SB)/4, $0xa59f25c0
DATA tanhk<>+276(SB)/4, $0xa59f25c0
DATA tanhk<>+280(SB)/4, $0xa59f25c0
DATA tanhk<>+284(SB)/4, $0xa59f25c0
DATA tanhk<>+288(SB)/4, $0x3ba059dd
DATA tanhk<>+292(SB)/4, $0x3ba059dd
DATA tanhk<>+296(SB)/4, $0x3ba059dd
DATA tanhk<>+300(SB)/4, $0x3ba059dd
DATA tanhk<>+304(SB)/4, $0x3ba059dd
DATA tanhk<>+308(SB)/4, $0x3ba059dd
DATA tanhk<>+312(SB)/4, $0x3ba059dd
DATA tanhk<>+316(SB)/4, $0x3ba059dd
DATA tanhk<>+320(SB)/4, $0x3b14aa05
DATA tanhk<>+324(SB)/4, $0x3b14aa05
DATA tanhk<>+328(SB)/4, $0x3b14aa05
DATA tanhk<>+332(SB)/4, $0x3b14aa05
DATA tanhk<>+336(SB)/4, $0x3b14aa05
DATA tanhk<>+340(SB)/4, $0x3b14aa05
DATA tanhk<>+344(SB)/4, $0x3b14aa05
DATA tanhk<>+348(SB)/4, $0x3b14aa05
DATA tanhk<>+352(SB)/4, $0x38f895d6
DATA tanhk<>+356(SB)/4, $0x38f895d6
DATA tanhk<>+360(SB)/4, $0x38f895d6
DATA tanhk<>+364(SB)/4, $0x38f895d6
DATA tanhk<>+368(SB)/4, $0x38f895d6
DATA tanhk<>+372(SB)/4, $0x38f895d6
DATA tanhk<>+376(SB)/4, $0x38f895d6
DATA tanhk<>+380(SB)/4, $0x38f895d6
DATA tanhk<>+384(SB)/4, $0x35a0d3d8
DATA tanhk<>+388(SB)/4, $0x35a0d3d8
DATA tanhk<>+392(SB)/4, $0x35a0d3d8
DATA tanhk<>+396(SB)/4, $0x35a0d3d8
DATA tanhk<>+400(SB)/4, $0x35a0d3d8
DATA tanhk<>+404(SB)/4, $0x35a0d3d8
DATA tanhk<>+408(SB)/4, $0x35a0d3d8
DATA tanhk<>+412(SB)/4, $0x35a0d3d8
DATA tanhk<>+416(SB)/4, $0x3f000000
DATA tanhk<>+420(SB)/4, $0x3f000000
DATA tanhk<>+424(SB)/4, $0x3f000000
DATA tanhk<>+428(SB)/4, $0x3f000000
DATA tanhk<>+432(SB)/4, $0x3f000000
DATA tanhk<>+436(SB)/4, $0x3f000000
DATA tanhk<>+440(SB)/4, $0x3f000000
DATA tanhk<>+444(SB)/4, $0x3f000000
GLOBL tanhk<>(SB), RODATA|NOPTR, $448

// func tanh8(dst, x *float32, n int)
// Sets dst[i] for i < n (a multiple of 8), as Tanh32 does, 8 at a time.
TEXT ·tanh8(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JE   donetanh8
looptanh8:
	VMOVUPS (SI), Y0
	VMINPS  tanhk<>+0(SB), Y0, Y0
	VMAXPS  tanhk<>+32(SB), Y0, Y0
	VMULPS  Y0, Y0, Y1
	VMOVUPS tanhk<>+256(SB), Y2
	VFMADD213PS tanhk<>+224(SB), Y1, Y2
	VFMADD213PS tanhk<>+192(SB), Y1, Y2
	VFMADD213PS tanhk<>+160(SB), Y1, Y2
	VFMADD213PS tanhk<>+128(SB), Y1, Y2
	VFMADD213PS tanhk<>+96(SB), Y1, Y2
	VFMADD213PS tanhk<>+64(SB), Y1, Y2
	VMULPS  Y0, Y2, Y2
	VMOVUPS tanhk<>+384(SB), Y3
	VFMADD213PS tanhk<>+352(SB), Y1, Y3
	VFMADD213PS tanhk<>+320(SB), Y1, Y3
	VFMADD213PS tanhk<>+288(SB), Y1, Y3
	VDIVPS  Y3, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE  looptanh8
donetanh8:
	VZEROUPPER
	RET

// func sigmoid8(dst, x *float32, n int)
// Sets dst[i] for i < n (a multiple of 8), as Sigmoid32 does, 8 at a time.
TEXT ·sigmoid8(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JE   donesigmoid8
loopsigmoid8:
	VMOVUPS (SI), Y0
	VMULPS  tanhk<>+416(SB), Y0, Y0
	VMINPS  tanhk<>+0(SB), Y0, Y0
	VMAXPS  tanhk<>+32(SB), Y0, Y0
	VMULPS  Y0, Y0, Y1
	VMOVUPS tanhk<>+256(SB), Y2
	VFMADD213PS tanhk<>+224(SB), Y1, Y2
	VFMADD213PS tanhk<>+192(SB), Y1, Y2
	VFMADD213PS tanhk<>+160(SB), Y1, Y2
	VFMADD213PS tanhk<>+128(SB), Y1, Y2
	VFMADD213PS tanhk<>+96(SB), Y1, Y2
	VFMADD213PS tanhk<>+64(SB), Y1, Y2
	VMULPS  Y0, Y2, Y2
	VMOVUPS tanhk<>+384(SB), Y3
	VFMADD213PS tanhk<>+352(SB), Y1, Y3
	VFMADD213PS tanhk<>+320(SB), Y1, Y3
	VFMADD213PS tanhk<>+288(SB), Y1, Y3
	VDIVPS  Y3, Y2, Y2
	VMOVUPS tanhk<>+416(SB), Y4
	VFMADD213PS tanhk<>+416(SB), Y4, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNE  loopsigmoid8
donesigmoid8:
	VZEROUPPER
	RET


// func tanhRows(x *float32, n, rows, stride int)
// Sets x[r*stride+j] to its tanh, as tanh8 does, for r < rows and
// j < n, n >= 8: each row's full vectors of 8, then, if n%8 != 0, its
// last 8 values, loaded before the full vectors overwrote any of them.
// One call does all rows, so the core overlaps the rows' latency-bound
// polynomials.
TEXT ·tanhRows(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ stride+24(FP), R10
	SHLQ $2, R10
	LEAQ -32(DI)(R8*4), R11
	MOVQ R8, R12
	SHRQ $3, R12
	MOVQ R8, R13
	ANDQ $7, R13
	TESTQ R9, R9
	JE   tanhRowsdone
tanhRowsrow:
	VMOVUPS (R11), Y8
	MOVQ DI, SI
	MOVQ R12, CX
tanhRowsvec:
	VMOVUPS (SI), Y0
	VMINPS      tanhk<>+0(SB), Y0, Y0
	VMAXPS      tanhk<>+32(SB), Y0, Y0
	VMULPS      Y0, Y0, Y1
	VMOVUPS     tanhk<>+256(SB), Y2
	VFMADD213PS tanhk<>+224(SB), Y1, Y2
	VFMADD213PS tanhk<>+192(SB), Y1, Y2
	VFMADD213PS tanhk<>+160(SB), Y1, Y2
	VFMADD213PS tanhk<>+128(SB), Y1, Y2
	VFMADD213PS tanhk<>+96(SB), Y1, Y2
	VFMADD213PS tanhk<>+64(SB), Y1, Y2
	VMULPS      Y0, Y2, Y2
	VMOVUPS     tanhk<>+384(SB), Y3
	VFMADD213PS tanhk<>+352(SB), Y1, Y3
	VFMADD213PS tanhk<>+320(SB), Y1, Y3
	VFMADD213PS tanhk<>+288(SB), Y1, Y3
	VDIVPS      Y3, Y2, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	DECQ CX
	JNE  tanhRowsvec
	TESTQ R13, R13
	JE   tanhRowsnext
	VMINPS      tanhk<>+0(SB), Y8, Y8
	VMAXPS      tanhk<>+32(SB), Y8, Y8
	VMULPS      Y8, Y8, Y9
	VMOVUPS     tanhk<>+256(SB), Y10
	VFMADD213PS tanhk<>+224(SB), Y9, Y10
	VFMADD213PS tanhk<>+192(SB), Y9, Y10
	VFMADD213PS tanhk<>+160(SB), Y9, Y10
	VFMADD213PS tanhk<>+128(SB), Y9, Y10
	VFMADD213PS tanhk<>+96(SB), Y9, Y10
	VFMADD213PS tanhk<>+64(SB), Y9, Y10
	VMULPS      Y8, Y10, Y10
	VMOVUPS     tanhk<>+384(SB), Y11
	VFMADD213PS tanhk<>+352(SB), Y9, Y11
	VFMADD213PS tanhk<>+320(SB), Y9, Y11
	VFMADD213PS tanhk<>+288(SB), Y9, Y11
	VDIVPS      Y11, Y10, Y8
	VMOVUPS Y8, (R11)
tanhRowsnext:
	ADDQ R10, DI
	ADDQ R10, R11
	DECQ R9
	JNE  tanhRowsrow
tanhRowsdone:
	VZEROUPPER
	RET

// func sigmoidRows(x *float32, n, rows, stride int)
// Sets x[r*stride+j] to its sigmoid, as sigmoid8 does, for r < rows and
// j < n, n >= 8: each row's full vectors of 8, then, if n%8 != 0, its
// last 8 values, loaded before the full vectors overwrote any of them.
// One call does all rows, so the core overlaps the rows' latency-bound
// polynomials.
TEXT ·sigmoidRows(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), R8
	MOVQ rows+16(FP), R9
	MOVQ stride+24(FP), R10
	SHLQ $2, R10
	LEAQ -32(DI)(R8*4), R11
	MOVQ R8, R12
	SHRQ $3, R12
	MOVQ R8, R13
	ANDQ $7, R13
	TESTQ R9, R9
	JE   sigmoidRowsdone
sigmoidRowsrow:
	VMOVUPS (R11), Y8
	MOVQ DI, SI
	MOVQ R12, CX
sigmoidRowsvec:
	VMOVUPS (SI), Y0
	VMULPS      tanhk<>+416(SB), Y0, Y0
	VMINPS      tanhk<>+0(SB), Y0, Y0
	VMAXPS      tanhk<>+32(SB), Y0, Y0
	VMULPS      Y0, Y0, Y1
	VMOVUPS     tanhk<>+256(SB), Y2
	VFMADD213PS tanhk<>+224(SB), Y1, Y2
	VFMADD213PS tanhk<>+192(SB), Y1, Y2
	VFMADD213PS tanhk<>+160(SB), Y1, Y2
	VFMADD213PS tanhk<>+128(SB), Y1, Y2
	VFMADD213PS tanhk<>+96(SB), Y1, Y2
	VFMADD213PS tanhk<>+64(SB), Y1, Y2
	VMULPS      Y0, Y2, Y2
	VMOVUPS     tanhk<>+384(SB), Y3
	VFMADD213PS tanhk<>+352(SB), Y1, Y3
	VFMADD213PS tanhk<>+320(SB), Y1, Y3
	VFMADD213PS tanhk<>+288(SB), Y1, Y3
	VDIVPS      Y3, Y2, Y0
	VMOVUPS     tanhk<>+416(SB), Y1
	VFMADD213PS tanhk<>+416(SB), Y1, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	DECQ CX
	JNE  sigmoidRowsvec
	TESTQ R13, R13
	JE   sigmoidRowsnext
	VMULPS      tanhk<>+416(SB), Y8, Y8
	VMINPS      tanhk<>+0(SB), Y8, Y8
	VMAXPS      tanhk<>+32(SB), Y8, Y8
	VMULPS      Y8, Y8, Y9
	VMOVUPS     tanhk<>+256(SB), Y10
	VFMADD213PS tanhk<>+224(SB), Y9, Y10
	VFMADD213PS tanhk<>+192(SB), Y9, Y10
	VFMADD213PS tanhk<>+160(SB), Y9, Y10
	VFMADD213PS tanhk<>+128(SB), Y9, Y10
	VFMADD213PS tanhk<>+96(SB), Y9, Y10
	VFMADD213PS tanhk<>+64(SB), Y9, Y10
	VMULPS      Y8, Y10, Y10
	VMOVUPS     tanhk<>+384(SB), Y11
	VFMADD213PS tanhk<>+352(SB), Y9, Y11
	VFMADD213PS tanhk<>+320(SB), Y9, Y11
	VFMADD213PS tanhk<>+288(SB), Y9, Y11
	VDIVPS      Y11, Y10, Y8
	VMOVUPS     tanhk<>+416(SB), Y9
	VFMADD213PS tanhk<>+416(SB), Y9, Y8
	VMOVUPS Y8, (R11)
sigmoidRowsnext:
	ADDQ R10, DI
	ADDQ R10, R11
	DECQ R9
	JNE  sigmoidRowsrow
sigmoidRowsdone:
	VZEROUPPER
	RET

// func mulAdd2Rows(dst, dst2, a, b, c, d *float32, n, rows, stride int)
// Sets dst[r*stride+j] = a·b + c·d (each product rounded, then the sum) for
// r < rows, j < n, n >= 8: full vectors of 8, then, if n%8 != 0, the last 8
// again, into dst and dst2 (which may be dst). Neither may overlap the
// inputs.
TEXT ·mulAdd2Rows(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI
	MOVQ dst2+8(FP), CX
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), R8
	MOVQ c+32(FP), R9
	MOVQ d+40(FP), R10
	MOVQ n+48(FP), BX
	MOVQ rows+56(FP), R12
	MOVQ stride+64(FP), R13
	SHLQ $2, R13
	SHLQ $2, BX
	MOVQ BX, R14
	ANDQ $-32, R14
	MOVQ BX, DX
	SUBQ $32, DX
	TESTQ R12, R12
	JE   mulAdd2Rowsdone
mulAdd2Rowsrow:
	XORQ AX, AX
mulAdd2Rowsvec:
	VMOVUPS (SI)(AX*1), Y0
	VMULPS  (R8)(AX*1), Y0, Y0
	VMOVUPS (R9)(AX*1), Y1
	VMULPS  (R10)(AX*1), Y1, Y1
	VADDPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	VMOVUPS Y0, (CX)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R14
	JLT  mulAdd2Rowsvec
	CMPQ R14, BX
	JEQ  mulAdd2Rowsnext
	VMOVUPS (SI)(DX*1), Y0
	VMULPS  (R8)(DX*1), Y0, Y0
	VMOVUPS (R9)(DX*1), Y1
	VMULPS  (R10)(DX*1), Y1, Y1
	VADDPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)(DX*1)
	VMOVUPS Y0, (CX)(DX*1)
mulAdd2Rowsnext:
	ADDQ R13, DI
	ADDQ R13, CX
	ADDQ R13, SI
	ADDQ R13, R8
	ADDQ R13, R9
	ADDQ R13, R10
	DECQ R12
	JNE  mulAdd2Rowsrow
mulAdd2Rowsdone:
	VZEROUPPER
	RET

// func mulRows(dst, a, b *float32, n, rows, stride int)
// Sets dst[r*stride+j] = a·b for r < rows, j < n, n >= 8, as mulAdd2Rows.
TEXT ·mulRows(SB), NOSPLIT, $0-48
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
	JE   mulRowsdone
mulRowsrow:
	XORQ AX, AX
mulRowsvec:
	VMOVUPS (SI)(AX*1), Y0
	VMULPS  (R8)(AX*1), Y0, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R14
	JLT  mulRowsvec
	CMPQ R14, BX
	JEQ  mulRowsnext
	VMOVUPS (SI)(DX*1), Y0
	VMULPS  (R8)(DX*1), Y0, Y0
	VMOVUPS Y0, (DI)(DX*1)
mulRowsnext:
	ADDQ R13, DI
	ADDQ R13, SI
	ADDQ R13, R8
	DECQ R12
	JNE  mulRowsrow
mulRowsdone:
	VZEROUPPER
	RET
