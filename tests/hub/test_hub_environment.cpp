#include <catch2/catch.hpp>

#include "hub_test_support.hpp"
#include "transformers/hub/hub.hpp"

using namespace transformers::hub;
using hub_test::EnvGuard;

TEST_CASE("the cache folder follows huggingface_hub's environment precedence", "[hub][env]") {
  EnvGuard env;
  env.set("HOME", "/home/someone");
  CHECK(default_cache_dir() == "/home/someone/.cache/huggingface/hub");

  env.set("XDG_CACHE_HOME", "/xdg");
  CHECK(default_cache_dir() == "/xdg/huggingface/hub");

  env.set("HF_HOME", "/hf-home");
  CHECK(default_cache_dir() == "/hf-home/hub");

  env.set("HUGGINGFACE_HUB_CACHE", "/legacy-hub");
  CHECK(default_cache_dir() == "/legacy-hub");

  env.set("HF_HUB_CACHE", "/hub-cache");
  CHECK(default_cache_dir() == "/hub-cache");

  // transformers v4 passed TRANSFORMERS_CACHE (and its older names) as cache_dir: it beats HF_*.
  env.set("PYTORCH_PRETRAINED_BERT_CACHE", "/bert-cache");
  CHECK(default_cache_dir() == "/bert-cache");
  env.set("PYTORCH_TRANSFORMERS_CACHE", "/pt-cache");
  CHECK(default_cache_dir() == "/pt-cache");
  env.set("TRANSFORMERS_CACHE", "/transformers-cache");
  CHECK(default_cache_dir() == "/transformers-cache");

  env.unset("TRANSFORMERS_CACHE");
  env.unset("PYTORCH_TRANSFORMERS_CACHE");
  env.unset("PYTORCH_PRETRAINED_BERT_CACHE");
  env.unset("HF_HUB_CACHE");
  CHECK(default_cache_dir() == "/legacy-hub");
}

TEST_CASE("cache paths expand ~ and $VARS as Python does", "[hub][env]") {
  EnvGuard env;
  env.set("HOME", "/home/me");
  env.set("HF_HOME", "~/hf");
  CHECK(default_cache_dir() == "/home/me/hf/hub");
  env.set("SOME_ROOT", "/data");
  env.set("HF_HUB_CACHE", "$SOME_ROOT/hub-${SOME_ROOT}x/$UNDEFINED_VARIABLE_XYZ");
  CHECK(default_cache_dir() == "/data/hub-/datax/$UNDEFINED_VARIABLE_XYZ");
  env.set("HF_HUB_CACHE", "~/cache");
  CHECK(default_cache_dir() == "/home/me/cache");
  ::unsetenv("SOME_ROOT");
}

TEST_CASE("offline mode reads HF_HUB_OFFLINE, then TRANSFORMERS_OFFLINE", "[hub][env]") {
  EnvGuard env;
  CHECK_FALSE(is_offline_mode());
  for (const char* yes : {"1", "ON", "yes", "True"}) {
    env.set("HF_HUB_OFFLINE", yes);
    CHECK(is_offline_mode());
  }
  env.set("HF_HUB_OFFLINE", "0");
  CHECK_FALSE(is_offline_mode());
  env.set("TRANSFORMERS_OFFLINE", "1");
  CHECK_FALSE(is_offline_mode());  // HF_HUB_OFFLINE=0 is set, so it wins (Python's `a or b`)
  env.set("HF_HUB_OFFLINE", "");
  CHECK(is_offline_mode());  // empty defers to TRANSFORMERS_OFFLINE
  env.unset("HF_HUB_OFFLINE");
  CHECK(is_offline_mode());
}

TEST_CASE("repo folder names and repo id validation", "[hub][env]") {
  CHECK(repo_folder_name("openai-community/gpt2") == "models--openai-community--gpt2");
  CHECK(repo_folder_name("gpt2") == "models--gpt2");
  CHECK(repo_folder_name("org/data", "dataset") == "datasets--org--data");
  CHECK(repo_folder_name("org/app", "space") == "spaces--org--app");
  CHECK_THROWS_AS(repo_folder_name("org/x", "weird"), transformers::InvalidArgument);

  CHECK(is_valid_repo_id("bert-base-uncased"));
  CHECK(is_valid_repo_id("sentence-transformers/all-MiniLM-L6-v2"));
  CHECK(is_valid_repo_id("org_1/model.v2"));
  CHECK_FALSE(is_valid_repo_id(""));
  CHECK_FALSE(is_valid_repo_id("a/b/c"));
  CHECK_FALSE(is_valid_repo_id("org--x/name"));
  CHECK_FALSE(is_valid_repo_id("org/na..me"));
  CHECK_FALSE(is_valid_repo_id("-org/name"));
  CHECK_FALSE(is_valid_repo_id("org/name."));
  CHECK_FALSE(is_valid_repo_id("./local"));
  CHECK_FALSE(is_valid_repo_id(std::string(97, 'a')));
}
