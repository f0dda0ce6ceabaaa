// transformers-cli download / scan-cache / delete-cache / info against the fake Hub.
#include <catch2/catch.hpp>

#include <transformers/hub/hub.hpp>

#include "hub/fake_hub.hpp"
#include "hub/hub_test_support.hpp"
#include "test_util.hpp"

using namespace hub_test;

namespace {

using CliResult = test_util::CommandResult;

CliResult run_cli(const std::string& arguments) {
  return test_util::run_command(std::string(TRANSFORMERS_CLI) + " " + arguments);
}

}  // namespace

TEST_CASE("transformers-cli download, info, scan-cache and delete-cache", "[hub][cli]") {
  FakeHub hub;
  const std::string repo = "cli-org/model";
  hub.add_file(repo, "config.json", R"({"architectures": ["BertModel"], "model_type": "bert"})", false);
  hub.add_file(repo, "README.md", "---\nlicense: cc-by-nc-4.0\npipeline_tag: fill-mask\ntags: [tiny]\n---\n# x\n",
               false);
  hub.add_file(repo, "onnx/model.onnx", std::string(5000, 'x'), true);
  EnvGuard env;
  TempDir cache("cli");
  env.set("HF_ENDPOINT", hub.endpoint());
  const std::string at = " --cache-dir " + cache.str();
  const fs::path snapshot = cache.path() / "models--cli-org--model" / "snapshots" / hub.commit(repo);

  CliResult download = run_cli("download " + repo + " --include '*.json' --include README.md --quiet" + at);
  CHECK(download.status == 0);
  CHECK(download.output == snapshot.string() + "\n");
  CHECK(fs::exists(snapshot / "config.json"));
  CHECK(!fs::exists(snapshot / "onnx"));

  CliResult info = run_cli("info " + repo + at);
  CHECK(info.status == 0);
  CHECK_THAT(info.output, Catch::Contains("license: cc-by-nc-4.0") && Catch::Contains("pipeline_tag: fill-mask") &&
                              Catch::Contains("NOTE:") && Catch::Contains("non-commercial") &&
                              Catch::Contains("\"BertModel\"") && Catch::Contains("config.json"));

  CliResult scan = run_cli("scan-cache" + at);
  CHECK(scan.status == 0);
  CHECK_THAT(scan.output, Catch::Contains(repo) && Catch::Contains(hub.commit(repo)) && Catch::Contains("main") &&
                              Catch::Contains("Scanned 1 repo(s)"));

  CliResult missing = run_cli("download cli-org/missing --quiet" + at);
  CHECK(missing.status == 1);
  CHECK_THAT(missing.output, Catch::Contains("cli-org/missing") && Catch::Contains("not found"));

  CliResult removed = run_cli("delete-cache " + repo + at);
  CHECK(removed.status == 0);
  CHECK(!fs::exists(cache.path() / "models--cli-org--model"));
  CHECK(run_cli("delete-cache " + repo + at).status == 1);
  CHECK(run_cli("download").status == 2);  // usage error
}

TEST_CASE("transformers-cli download refuses a lying listing and writes nothing", "[hub][cli][security]") {
  FakeHub hub;
  const std::string repo = "acme/evil";
  EnvGuard env;
  TempDir root("cli-evil");
  const fs::path cache = root.path() / "cache";
  hub.add_file(repo, "config.json", "{}", false);
  hub.list_extra(repo, (root.path() / "escape2.txt").string());
  hub.list_extra(repo, "../../../../escape1.txt");
  env.set("HF_ENDPOINT", hub.endpoint());
  const CliResult result = run_cli("download " + repo + " --quiet --cache-dir " + cache.string());
  CHECK(result.status == 1);
  CHECK_THAT(result.output, Catch::Contains("escape") && Catch::Contains("nothing was downloaded"));
  CHECK_FALSE(fs::exists(root.path() / "escape2.txt"));
  CHECK_FALSE(fs::exists(root.path() / "escape1.txt"));
  CHECK(hub.count("GET", "/resolve/") == 0);

  const CliResult revision =
      run_cli("download " + repo + " --revision ../../../../tmp/revesc --quiet --cache-dir " + cache.string());
  CHECK(revision.status == 1);
  CHECK_THAT(revision.output, Catch::Contains("'..' segment"));
  CHECK(files_named(root.path(), "revesc").empty());
}
