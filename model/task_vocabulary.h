// The words the policy reads and writes: LIBERO-style task instructions, spatial questions and
// answers (3D location, distance, orientation, angle), and the explicit 3D reasoning prompt of the
// teacher branch. The tokenizer is trained on this corpus. Pure functions; any thread.
#pragma once

#include <string>
#include <vector>

namespace thinkvla::model {

// The explicit 3D reasoning prompt appended to the instruction in the teacher branch.
const std::string& reasoningPrompt();

// Sentences covering the instructions, questions, answers and numbers the project uses.
// Deterministic: the same list in every run.
std::vector<std::string> defaultTokenizerCorpus();

}  // namespace thinkvla::model
