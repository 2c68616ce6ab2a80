// imagelint-fixture: writes test images from recipes (fixtures/*.json). Test-only.
#include <cstdio>
#include <string>
#include <vector>

#include "recipe.h"

int main(int argc, char** argv) {
  std::string format, out;
  bool multiarch = false;
  std::vector<std::string> recipes;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--multiarch") multiarch = true;
    else if (format.empty() && a.starts_with("--") && i + 1 < argc) format = a.substr(2), out = argv[++i];
    else recipes.push_back(a);
  }
  if (format.empty() || recipes.empty()) {
    std::fprintf(stderr,
                 "usage: imagelint-fixture --oci DIR|--oci-archive FILE|--docker-archive FILE|--dir ROOTFS "
                 "[--multiarch] RECIPE.json...\n");
    return 2;
  }
  try {
    std::vector<fixture::Recipe> rs;
    for (auto& r : recipes) rs.push_back(fixture::load_recipe(r));
    if (format == "oci") fixture::write_oci(rs, out, multiarch);
    else if (format == "oci-archive") fixture::write_oci_archive(rs, out, multiarch);
    else if (format == "docker-archive") fixture::write_docker_archive(rs.at(0), out);
    else if (format == "dir") fixture::write_rootfs(rs.at(0), out);
    else {
      std::fprintf(stderr, "imagelint-fixture: unknown format %s\n", format.c_str());
      return 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "imagelint-fixture: %s\n", e.what());
    return 1;
  }
  return 0;
}
