/* SimpleRNN over a whole sequence in one launch per layer: h' = act(x·W + b + U h + c), act tanh or
   relu. pre (N, L, H) holds x·W + b (one GEMM before the launch) and is left as it is; the backward
   pass takes the derivative from h. U is (H, H). */

KERNEL rnn_forward_seq(int N, int L, int act_relu, const GLOBAL float* pre, const GLOBAL float* U,
                       const GLOBAL float* bias_r, int use_bias_r, GLOBAL float* h)
{
    LOCAL float hs[BPG * HID];
    int j = LID(0);
    int n0 = GROUP_ID(0) * BPG;
    for (int b = 0; b < BPG; b++) hs[b * HID + j] = 0.0f;
    float cb = use_bias_r ? bias_r[j] : 0.0f;
    BARRIER();
    for (int t = 0; t < L; t++) {
        float a[BPG];
        for (int b = 0; b < BPG; b++) {
            int n = n0 + b < N ? n0 + b : N - 1;
            a[b] = pre[(n * L + t) * HID + j] + cb;
        }
        for (int k = 0; k < HID; k++) {
            float u = U[k * HID + j];
            for (int b = 0; b < BPG; b++) a[b] += u * hs[b * HID + k];
        }
        BARRIER();
        for (int b = 0; b < BPG; b++) {
            float hv = act_relu ? (a[b] > 0.0f ? a[b] : 0.0f) : tanhf(a[b]);
            hs[b * HID + j] = hv;
            if (n0 + b < N) h[((n0 + b) * L + t) * HID + j] = hv;
        }
        BARRIER();
    }
}

/* dpre (N, L, H): gradient of the pre-activation, which is both x·W + b and U h + c. */
KERNEL rnn_backward_seq(int N, int L, int act_relu, const GLOBAL float* h, const GLOBAL float* dh,
                        const GLOBAL float* U, GLOBAL float* dpre)
{
    LOCAL float dhs[BPG * HID];
    LOCAL float dg[BPG * HID];
    int j = LID(0);
    int n0 = GROUP_ID(0) * BPG;
    for (int b = 0; b < BPG; b++) dhs[b * HID + j] = 0.0f;
    for (int t = L - 1; t >= 0; t--) {
        for (int b = 0; b < BPG; b++) {
            int n = n0 + b < N ? n0 + b : N - 1;
            int row = n * L + t;
            float hv = h[row * HID + j];
            float d = dh[row * HID + j] + dhs[b * HID + j];
            float da = act_relu ? (hv > 0.0f ? d : 0.0f) : d * (1.0f - hv * hv);
            dg[b * HID + j] = da;
            if (n0 + b < N) dpre[row * HID + j] = da;
        }
        BARRIER();
        const GLOBAL float* urow = U + j * HID;
        for (int b = 0; b < BPG; b++) {
            float acc = 0.0f;
            for (int m = 0; m < HID; m++) acc += urow[m] * dg[b * HID + m];
            dhs[b * HID + j] = acc;
        }
        BARRIER();
    }
}
