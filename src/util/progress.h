// A progress line on stderr while layers are read: layers done, bytes read of the blobs' total,
// rate and ETA. Only when stderr is a terminal (or IMAGELINT_PROGRESS=always) and --quiet is not
// given; drawn at most ten times a second, after the first half second (a small image prints
// nothing), and erased when the run ends. Safe from several threads (diff reads two images at
// once).
#pragma once
#include <cstdint>

namespace imagelint::progress {

// Called once by the CLI before any work: decides whether the line is shown at all.
void configure(bool quiet);
// More work: bytes of compressed blobs and layers about to be read.
void expect(uint64_t bytes, uint64_t layers);
// Bytes of a blob read; a layer finished.
void advance(uint64_t bytes);
void layer_done();
// Erases the line (before a report or an error is printed).
void finish();

}  // namespace imagelint::progress
