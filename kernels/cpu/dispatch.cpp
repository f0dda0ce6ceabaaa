// Picks the widest kernel table the running CPU supports.
#include <cstdlib>
#include <string>

#include "kernels.hpp"

namespace transformers::kernels::cpu {

const KernelTable& generic_kernels();
const KernelTable& avx2_kernels();
const KernelTable& avx512_kernels();

namespace {

bool cpu_has_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
bool cpu_has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

Isa isa_cap() {
  const char* env = std::getenv("TRANSFORMERS_CPU_ISA");
  if (!env) return Isa::Avx512;
  const std::string value = env;
  if (value == "generic") return Isa::Generic;
  if (value == "avx2") return Isa::Avx2;
  return Isa::Avx512;
}

}  // namespace

std::vector<const KernelTable*> supported_kernels() {
  std::vector<const KernelTable*> tables{&generic_kernels()};
  if (cpu_has_avx2()) tables.push_back(&avx2_kernels());
  if (cpu_has_avx512()) tables.push_back(&avx512_kernels());
  return tables;
}

const KernelTable& best_kernels() {
  static const KernelTable& chosen = []() -> const KernelTable& {
    const Isa cap = isa_cap();
    const KernelTable* best = &generic_kernels();
    for (const KernelTable* table : supported_kernels())
      if (static_cast<int>(table->isa) <= static_cast<int>(cap)) best = table;
    return *best;
  }();
  return chosen;
}

}  // namespace transformers::kernels::cpu
