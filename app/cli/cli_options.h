// Option checks the subcommands share (eval, collect, infer, bench): index lists, output files
// and directories checked before a long run starts, checkpoint directories, perturbation specs.
// Each throws UsageError naming the option and the value at fault. Stateless; any thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/args.h"
#include "core/sim/perturbation.h"
#include "model/gripper_output.h"

namespace thinkvla::cli {

// "0,3,5" -> {0, 3, 5}: non-negative integers, at least one.
std::vector<int> parseIndexList(const std::string& text, const std::string& option);

// Opens `file` for writing now (and removes it again if it was not there), so a bad path fails
// before a long run, not after it.
void checkWritable(const std::string& file, const std::string& option);

// Creates `dir` (and its parents) when needed; returns it.
std::filesystem::path ensureDirectory(const std::string& dir, const std::string& option);

// `dir` must be an existing directory (the checkpoint's loader names the file at fault later).
void checkCheckpointDirectory(const std::string& dir);

// The value of a DIM:LEVEL[,DIM:LEVEL] option (`option`, usually "perturb").
core::sim::PerturbationSpec perturbationOption(const Args& args, const std::string& option);

// The value of --gripper: binary or continuous (model/gripper_output.h).
model::GripperOutput gripperOutputOption(const Args& args);

// The help text of --gripper, the same for every subcommand that steps a policy.
inline constexpr const char* kGripperOptionHelp =
    "gripper commands as the policy predicts them (continuous) or snapped to open / close "
    "(binary; its training targets are binary)";

// Writes `text` to `file` through a temporary file and a rename (no half-written results).
void writeTextFile(const std::string& file, const std::string& text);

}  // namespace thinkvla::cli
