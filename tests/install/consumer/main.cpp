// A user's program, built against the installed library only.
#include <cmath>
#include <iostream>
#include <string>

#include <transformers/transformers.hpp>

int main() {
  using namespace transformers;
  Tensor x = Tensor::from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  Tensor w = Tensor::from_vector(std::vector<float>{1, 0, 0, 1}, {2, 2});
  std::vector<float> y = ops::softmax(ops::linear(x, w), -1).to_vector<float>();
  const float expected = 1.0f / (1.0f + std::exp(1.0f));  // softmax([1, 2])[0]
  if (std::fabs(y[0] - expected) > 1e-6f) {
    std::cerr << "consumer: got " << y[0] << ", expected " << expected << "\n";
    return 1;
  }
  // A CUDA build loads its backend library at run time: it must have been installed beside the core.
  if (cuda::is_built() && !cuda::is_available()) {
    try {
      cuda::allocate(16, 0);
    } catch (const Error& error) {
      if (std::string(error.what()).find("could not be loaded") != std::string::npos) {
        std::cerr << "consumer: " << error.what() << "\n";
        return 1;
      }
    }
  }
  std::cout << "consumer OK (cuda built: " << (cuda::is_built() ? "yes" : "no") << ")\n";
  return 0;
}
