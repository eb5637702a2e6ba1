# gen_conv_amd64.py writes conv_amd64.s, the AVX2/FMA kernels of conv.go:
#
#	python3 gen_conv_amd64.py conv_amd64.s
def c20_step(idx, bsrc):
    L=[f"\tVMOVUPS        {bsrc}, Y0".replace("OFF","0"), f"\tVMOVUPS        {bsrc}, Y1".replace("OFF","32"), f"\tVBROADCASTF128 {bsrc}, Y2".replace("OFF","64")]
    for (ra, rb, acc) in (("SI","R12",6),("R13","R14",11)):
        L += [f"\tVBROADCASTSS ({ra})({idx}*1), Y3", f"\tVBROADCASTSS ({rb})({idx}*1), Y4",
              "\tVBLENDPS     $0xF0, Y4, Y3, Y5 // row i's A in the low lanes, row i+1's in the high",
              f"\tVFMADD231PS  Y0, Y3, Y{acc}", f"\tVFMADD231PS  Y1, Y3, Y{acc+1}",
              f"\tVFMADD231PS  Y0, Y4, Y{acc+2}", f"\tVFMADD231PS  Y1, Y4, Y{acc+3}",
              f"\tVFMADD231PS  Y2, Y5, Y{acc+4}"]
    return L
def c20_loop(asrc, bsrc, kname, label, nxt):
    L=[f"\tMOVQ {kname}, CX", f"\tMOVQ {asrc}, SI", f"\tMOVQ {bsrc}, DI", "\tTESTQ CX, CX", f"\tJE    {nxt}",
       "\tLEAQ (SI)(R8*1), R12", "\tLEAQ (R12)(R8*1), R13", "\tLEAQ (R13)(R8*1), R14", "\tXORQ AX, AX",
       "\tSHRQ $1, CX", f"\tJE   {label}odd", f"{label}:", "\tLEAQ (AX)(R9*1), BX"]
    L += c20_step("AX", "OFF(DI)")
    L += c20_step("BX", "OFF(DI)(R10*1)")
    L += ["\tLEAQ (AX)(R9*2), AX", "\tLEAQ (DI)(R10*2), DI", "\tDECQ CX", f"\tJNE  {label}", f"{label}odd:",
          f"\tTESTQ $1, {kname}", f"\tJE    {nxt}"]
    L += c20_step("AX", "OFF(DI)")
    return L
def conv4x20():
    out=["// func conv4x20(k0, k1 int, a0, a1 *float32, ars, aps int, b0, b1 *float32, ldb int, c *float32, ldc int, bias *float32, relu, blocks int)",
"// C[i][j] = act(bias[j] + sum_p a0[i*ars+p*aps] b0[p*ldb+j] + sum_p a1[i*ars+p*aps] b1[p*ldb+j])",
"// for i < 4, j < 20: one sum of products from zero, fused, over tap 0's k0",
"// terms then tap 1's k1, plus the bias; act is relu when relu != 0 (a set",
"// sign bit clears the element, as conv's relu does), else the identity. C",
"// is written, not read.",
"//",
"// The 4x20 block is 10 ymm accumulators, not 12 with an xmm for each row's",
"// last 4 columns: columns 16-19 of rows i and i+1 share one ymm (row i in",
"// the low lanes), against B's columns 16-19 in both halves and a blend of",
"// the two rows' broadcasts of A. So a step of k is 10 FMAs for 80 products;",
"// the k loops run two steps an iteration.",
"//",
"// It runs blocks blocks of 4 rows, each 4 rows of A and C past the last.",
"TEXT ·conv4x20(SB), NOSPLIT, $0-112",
"\tMOVQ ars+32(FP), R8","\tSHLQ $2, R8","\tMOVQ aps+40(FP), R9","\tSHLQ $2, R9","\tMOVQ ldb+64(FP), R10","\tSHLQ $2, R10","cblock:"]
    for i in range(6,16): out.append(f"\tVXORPS Y{i}, Y{i}, Y{i}")
    out+=c20_loop("a0+16(FP)","b0+48(FP)","k0+0(FP)","ctap0","ctap1")
    out.append("ctap1:")
    out+=c20_loop("a1+24(FP)","b1+56(FP)","k1+8(FP)","ctap1loop","cstore")
    out.append("cstore:")
    out+=["\tMOVQ c+72(FP), DX","\tMOVQ ldc+80(FP), R11","\tSHLQ $2, R11","\tMOVQ bias+88(FP), BX",
    "\tVMOVUPS        (BX), Y0","\tVMOVUPS        32(BX), Y1","\tVBROADCASTF128 64(BX), Y2"]
    for a in (6,11):
        out+=[f"\tVADDPS Y0, Y{a}, Y{a}",f"\tVADDPS Y1, Y{a+1}, Y{a+1}",f"\tVADDPS Y0, Y{a+2}, Y{a+2}",f"\tVADDPS Y1, Y{a+3}, Y{a+3}",f"\tVADDPS Y2, Y{a+4}, Y{a+4}"]
    out+=["\tMOVQ  relu+96(FP), BX","\tTESTQ BX, BX","\tJE    cwrite"]
    for reg in range(6,16):
        out+=[f"\tVPSRAD $31, Y{reg}, Y3",f"\tVPANDN Y{reg}, Y3, Y{reg}"]
    out.append("cwrite:")
    for a in (6,11):
        out+=[f"\tVMOVUPS Y{a}, (DX)",f"\tVMOVUPS Y{a+1}, 32(DX)",f"\tVMOVUPS X{a+4}, 64(DX)","\tADDQ    R11, DX",
              f"\tVMOVUPS Y{a+2}, (DX)",f"\tVMOVUPS Y{a+3}, 32(DX)",f"\tVEXTRACTF128 $1, Y{a+4}, 64(DX)"]
        if a==6: out.append("\tADDQ    R11, DX")
    out+=["\t// The next block: 4 rows of A and C on.","\tADDQ R11, DX","\tMOVQ DX, c+72(FP)","\tMOVQ R8, AX","\tSHLQ $2, AX","\tADDQ AX, a0+16(FP)","\tADDQ AX, a1+24(FP)","\tDECQ blocks+104(FP)","\tJNE  cblock","\tVZEROUPPER","\tRET",""]
    return out

rows=["SI","R12","R13","R14","BX","DX","R11","R15"]
def c10_step(adisp, bsrc):
    L=[f"\tVMOVUPS      {bsrc.replace('OFF', '0')}, Y0", f"\tVBROADCASTSD {bsrc.replace('OFF', '32')}, Y1 // columns 8, 9 four times"]
    for g in range(2):
        mix=14+g
        for j in range(4):
            r=4*g+j
            reg="Y2" if j%2==0 else "Y3"
            L.append(f"\tVBROADCASTSS {adisp}({rows[r]})(AX*1), {reg}")
            L.append(f"\tVFMADD231PS  Y0, {reg}, Y{6+r}")
            if j==0:
                L.append(f"\tVMOVAPS      Y2, Y4")
            else:
                mask={1:"0x0C",2:"0x30",3:"0xC0"}[j]
                L.append(f"\tVBLENDPS     ${mask}, {reg}, Y4, Y4")
        L.append(f"\tVFMADD231PS  Y1, Y4, Y{mix}")
    return L
def c10_loop(asrc,bsrc,kname,label,nxt):
    # All 8 row pointers are taken, so there is no register for a second
    # index: where A's steps are adjacent (aps = 1, the convolutions; not
    # the transposed weight gradient) the loop runs two steps an iteration,
    # the second at displacement 4.
    L=[f"\tMOVQ {kname}, CX", f"\tMOVQ {asrc}, SI", f"\tMOVQ {bsrc}, DI", "\tTESTQ CX, CX", f"\tJE    {nxt}"]
    for i in range(1,8):
        L.append(f"\tLEAQ ({rows[i-1]})(R8*1), {rows[i]}")
    L+=["\tXORQ AX, AX", "\tCMPQ R9, $4", f"\tJNE  {label}one", "\tSHRQ $1, CX", f"\tJE   {label}odd", f"{label}two:"]
    L+=c10_step("", "OFF(DI)")+c10_step("4", "OFF(DI)(R10*1)")
    L+=["\tADDQ $8, AX","\tLEAQ (DI)(R10*2), DI","\tDECQ CX",f"\tJNE  {label}two",f"{label}odd:",f"\tTESTQ $1, {kname}",f"\tJE    {nxt}"]
    L+=c10_step("", "OFF(DI)")
    L+=[f"\tJMP  {nxt}", f"{label}one:"]
    L+=c10_step("", "OFF(DI)")
    L+=["\tADDQ R9, AX","\tADDQ R10, DI","\tDECQ CX",f"\tJNE  {label}one"]
    return L
def conv8x10():
    out=["// func conv8x10(k0, k1 int, a0, a1 *float32, ars, aps int, b0, b1 *float32, ldb int, c *float32, ldc int, bias *float32, relu, blocks int)",
"// conv4x20 for blocks of 8 rows by 10 columns: C[i][j] = act(bias[j] +",
"// sum_p a0[i*ars+p*aps] b0[p*ldb+j] + sum_p a1[i*ars+p*aps] b1[p*ldb+j]) for",
"// i < 8, j < 10, blocks times, 8 rows of A and C on each time.",
"//",
"// Columns 0-7 of each row are one ymm accumulator; columns 8 and 9 of 4",
"// rows share one ([r0c8 r0c9 r1c8 r1c9 ...]), against B's columns 8, 9",
"// four times and a blend of the 4 rows' broadcasts of A. So a step of k is",
"// 10 FMAs for 80 products.",
"TEXT ·conv8x10(SB), NOSPLIT, $0-112",
"\tMOVQ ars+32(FP), R8","\tSHLQ $2, R8","\tMOVQ aps+40(FP), R9","\tSHLQ $2, R9","\tMOVQ ldb+64(FP), R10","\tSHLQ $2, R10",
"dblock:"]
    for i in range(6,16): out.append(f"\tVXORPS Y{i}, Y{i}, Y{i}")
    out+=c10_loop("a0+16(FP)","b0+48(FP)","k0+0(FP)","dtap0","dtap1")
    out.append("dtap1:")
    out+=c10_loop("a1+24(FP)","b1+56(FP)","k1+8(FP)","dtap1loop","dstore")
    out.append("dstore:")
    out+=["\tMOVQ c+72(FP), DX","\tMOVQ ldc+80(FP), R11","\tSHLQ $2, R11","\tMOVQ bias+88(FP), BX",
    "\tVMOVUPS      (BX), Y0","\tVBROADCASTSD 32(BX), Y1"]
    for i in range(6,14): out.append(f"\tVADDPS Y0, Y{i}, Y{i}")
    out+=["\tVADDPS Y1, Y14, Y14","\tVADDPS Y1, Y15, Y15","\tMOVQ  relu+96(FP), BX","\tTESTQ BX, BX","\tJE    dwrite"]
    for reg in range(6,16):
        out+=[f"\tVPSRAD $31, Y{reg}, Y3",f"\tVPANDN Y{reg}, Y3, Y{reg}"]
    out.append("dwrite:")
    for g in range(2):
        mix=14+g
        out.append(f"\tVEXTRACTF128 $1, Y{mix}, X5")
        for j in range(4):
            r=4*g+j
            out.append(f"\tVMOVUPS Y{6+r}, (DX)")
            src = f"X{mix}" if j<2 else "X5"
            if j%2==0: out.append(f"\tVMOVQ   {src}, 32(DX)")
            else: out.append(f"\tVPEXTRQ $1, {src}, 32(DX)")
            out.append("\tADDQ    R11, DX")
    out+=["\t// The next block: 8 rows of A and C on.","\tMOVQ DX, c+72(FP)","\tMOVQ R8, AX","\tSHLQ $3, AX","\tADDQ AX, a0+16(FP)","\tADDQ AX, a1+24(FP)","\tDECQ blocks+104(FP)","\tJNE  dblock","\tVZEROUPPER","\tRET",""]
    return out
hdr=["// Code generated by gen_conv_amd64.py; DO NOT EDIT.","","//go:build !purego","",'#include "textflag.h"',""]
import sys
open(sys.argv[1],"w").write("\n".join(hdr+conv4x20()+[""]+conv8x10()))
