// The single streaming pass: every layer in order, applied to one FileSystem, content captured on
// the way. Layers are never extracted and never held in memory.
#pragma once
#include <string>
#include <vector>

#include "fs/capture.h"
#include "fs/filesystem.h"
#include "fs/layer_reader.h"
#include "image/image.h"

namespace imagelint {

struct BuildResult {
  FileSystem fs;
  std::vector<LayerStats> layers;  // one per image layer (empty for dir:)
  std::vector<std::string> notes;  // tolerated oddities, one line each
  int rereads = 0;                 // layers read a second time to resolve links for captures
};

// Throws InputError on anything unreadable, corrupt or hostile.
BuildResult build_filesystem(const Image& img, CaptureSet* captures = nullptr);

// dir: transport (fs/dir_source.cc): walks ROOTFS without following symlinks.
void walk_rootfs(const std::string& root, FileSystem& fs, CaptureSet* captures);
// Reads wanted files of a rootfs after the walk (captures by path that resolved elsewhere).
void read_rootfs_files(const std::string& root, const std::map<std::string, std::string>& names, const FileSystem& fs,
                       CaptureSet& captures);

}  // namespace imagelint
