package rnn

// The packed layouts, defined once. A row of a packed state (one sample of
// one step) is made of column blocks of H values; block k holds columns
// [k*H, (k+1)*H). cell_math.go and kernel_gpu.go index with these
// constants, and cuda/kernels/layout.h, generated from them
// (TestLayoutHeader), gives the same names to seqcast.cu.
//
//	simple     [h]                         P = H
//	lstm       [h | c | i f g o | act(c)]  P = 7H
//	gru        [h | z r hh | h U_h + r_h]  P = 5H (reset_after)
//	gruClassic [h | z r hh]                P = 4H
//	lnSimple   [h | xhat | 1/std]          P = 2H + 1 (1/std is one column)
const (
	stH = 0 // every cell's output h

	lstmC, lstmI, lstmF, lstmG, lstmO, lstmActC, lstmBlocks = 1, 2, 3, 4, 5, 6, 7

	gruZ, gruR, gruHH, gruUH, gruBlocks = 1, 2, 3, 4, 5
	grucBlocks                          = 4 // the classic GRU: gru's first four blocks

	lnXhat, lnInv = 1, 2
)

// The gate blocks of W, U and of the pre-activation gradients dZ, (rows,
// G*H), in gate order; the LSTM's are those of its packed state from lstmI
// on.
const (
	gateI, gateF, gateG, gateO = 0, 1, 2, 3
	gateZ, gateR, gateHH       = 0, 1, 2
)

// The packed bias vectors, blocks of H: the LSTM's [b_i b_f b_g b_o], the
// GRU's [b_z b_r b_h] then, for reset_after, its recurrent biases
// [r_z r_r r_h] from gruBiasRec, the layer-norm cell's [b | gain | offset].
const (
	gruBiasRec       = 3
	lnGain, lnOffset = 1, 2
	lnBiasBlocks     = 3
	gruBiasBlocks    = 6
	grucBiasBlocks   = 3
	lstmBiasBlocks   = 4
	simpleBiasBlocks = 1
)
