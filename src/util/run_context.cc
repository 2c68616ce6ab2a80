#include "util/run_context.h"

#include <cstdlib>

#include "util/task_pool.h"

namespace imagelint {

std::string Environment::get(const std::string& name, const std::string& fallback) const {
  auto it = vars.find(name);
  return it == vars.end() || it->second.empty() ? fallback : it->second;
}

Environment Environment::from_process() {
  Environment e;
  for (const char* name : {"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR",
                           "CONTAINERS_STORAGE_CONF", "IMAGELINT_THREADS", "IMAGELINT_ZLIB", "IMAGELINT_PROGRESS",
                           "IMAGELINT_TODAY", "NO_COLOR"})
    if (const char* v = std::getenv(name)) e.vars[name] = v;
  return e;
}

unsigned RunContext::worker_threads() const { return threads > 0 ? threads : TaskPool::hardware_threads(); }

const RunContext& RunContext::none() {
  static const RunContext kNone;
  return kNone;
}

}  // namespace imagelint
