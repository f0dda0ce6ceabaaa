#include "transformers/core/threads.hpp"

#include <omp.h>

#include "transformers/core/error.hpp"

namespace transformers {

int get_num_threads() { return omp_get_max_threads(); }

void set_num_threads(int n) {
  if (n < 1) throw InvalidArgument("set_num_threads: n must be >= 1, got " + std::to_string(n));
  omp_set_num_threads(n);
}

}  // namespace transformers
