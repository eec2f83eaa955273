package dsf4j.grad;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * eq. 14 as a convolution: with time reversed, r_s = e_{T−1−s}, δ_{T−1−s} = Σ_{k=0}^{s} λ^k r_{s−k},
 * the causal convolution of r with the kernel g_k = λ^k. Both are zero-padded to n ≥ 2T (a power of
 * two) so the circular convolution of the real FFTs equals the linear one. The kernel is built by
 * repeated multiplication, λ^k = λ·λ^{k−1} (it underflows harmlessly to 0), never by dividing by λ^t,
 * which would overflow for small λ.
 */
public final class FftConvolution implements DiagonalSolver {

    @Override
    public void solve(double[][] x, double[] lambda) {
        int steps = x.length, n = x[0].length, d = lambda.length;
        int size = Integer.highestOneBit(Math.max(1, 2 * steps - 1)) << 1;
        DoubleFFT_1D fft = new DoubleFFT_1D(size);
        double[] kernel = new double[size], signal = new double[size];
        for (int c = 0; c < n; c++) {
            java.util.Arrays.fill(kernel, 0);
            java.util.Arrays.fill(signal, 0);
            double power = 1;                                    // λ^0 = 1, also when λ = 0
            for (int k = 0; k < steps; k++) {
                kernel[k] = power;
                power *= lambda[c % d];
                signal[k] = x[steps - 1 - k][c];
            }
            fft.realForward(kernel);
            fft.realForward(signal);
            multiplyPacked(signal, kernel);
            fft.realInverse(signal, true);
            for (int s = 0; s < steps; s++) x[steps - 1 - s][c] = signal[s];
        }
    }

    /**
     * signal ← signal · kernel, both in JTransforms' packed real-FFT layout for even n:
     * [Re0, Re(n/2), Re1, Im1, Re2, Im2, …].
     */
    private static void multiplyPacked(double[] signal, double[] kernel) {
        signal[0] *= kernel[0];
        signal[1] *= kernel[1];
        for (int j = 2; j < signal.length; j += 2) {
            double re = signal[j] * kernel[j] - signal[j + 1] * kernel[j + 1];
            double im = signal[j] * kernel[j + 1] + signal[j + 1] * kernel[j];
            signal[j] = re;
            signal[j + 1] = im;
        }
    }
}
