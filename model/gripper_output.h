// How the gripper command of each predicted action leaves a Policy (model/policy.h). The training
// targets are binary (-1 open, +1 close; model/data/action_normalization.h) and the network
// regresses them, so near a switch its output lies in between; the world's position-controlled
// fingers would then close part way and hold with part of the force. kBinary (the default) snaps
// the command to the nearer of -1 and +1, as LIBERO-style evaluations do; kContinuous returns the
// regression as it is. A plain value type without LibTorch, so option structs can carry it.
#pragma once

#include <optional>
#include <string>

namespace thinkvla::model {

enum class GripperOutput { kBinary, kContinuous };

inline const char* gripperOutputName(GripperOutput mode) {
  return mode == GripperOutput::kBinary ? "binary" : "continuous";
}

// "binary" or "continuous"; empty for anything else.
inline std::optional<GripperOutput> parseGripperOutput(const std::string& name) {
  if (name == "binary") return GripperOutput::kBinary;
  if (name == "continuous") return GripperOutput::kContinuous;
  return std::nullopt;
}

}  // namespace thinkvla::model
