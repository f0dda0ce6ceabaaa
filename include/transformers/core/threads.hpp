#pragma once
// One thread pool for everything: oneDNN's OpenMP runtime, which our kernels share, so nothing
// oversubscribes. The count follows OMP_NUM_THREADS unless set here.
namespace transformers {

int get_num_threads();
void set_num_threads(int n);

}  // namespace transformers
