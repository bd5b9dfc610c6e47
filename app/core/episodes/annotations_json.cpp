#include "core/episodes/annotations_json.h"

namespace thinkvla::core {

using json = nlohmann::json;

nlohmann::json annotationsToJson(const EpisodeAnnotations& a) {
  json j;
  j["schema_version"] = 1;
  j["instruction"] = a.instruction;
  j["success"] = a.success;
  j["subtasks"] = json::array();
  for (const auto& s : a.subtasks) {
    j["subtasks"].push_back({{"start_step", s.start_step}, {"end_step", s.end_step}, {"label", s.label}});
  }
  j["keyframes"] = json::array();
  for (const auto& k : a.keyframes) j["keyframes"].push_back({{"step", k.step}, {"label", k.label}});
  j["notes"] = a.notes;
  j["operator"] = a.operator_name;
  j["start_time_unix_s"] = a.start_time_unix_s;
  j["end_time_unix_s"] = a.end_time_unix_s;
  j["source"] = {{"kind", a.source.kind}, {"task", a.source.task}, {"seed", a.source.seed},
                 {"camera", a.source.camera}};
  j["qa_pairs"] = json::array();
  for (const auto& q : a.qa_pairs) {
    j["qa_pairs"].push_back({{"kind", q.kind}, {"question", q.question}, {"answer", q.answer}});
  }
  j["teacher_prompts"] = a.teacher_prompts;
  j["recording_id"] = a.recording_id;
  j["recovered"] = a.recovered;
  return j;
}

EpisodeAnnotations annotationsFromJson(const nlohmann::json& j) {
  EpisodeAnnotations a;
  a.instruction = j.value("instruction", "");
  a.success = j.value("success", false);
  for (const auto& s : j.value("subtasks", json::array())) {
    a.subtasks.push_back({s.at("start_step").get<std::int64_t>(), s.at("end_step").get<std::int64_t>(),
                          s.value("label", "")});
  }
  for (const auto& k : j.value("keyframes", json::array())) {
    a.keyframes.push_back({k.at("step").get<std::int64_t>(), k.value("label", "")});
  }
  a.notes = j.value("notes", "");
  a.operator_name = j.value("operator", "");
  a.start_time_unix_s = j.value("start_time_unix_s", 0.0);
  a.end_time_unix_s = j.value("end_time_unix_s", 0.0);
  if (j.contains("source")) {
    const auto& s = j["source"];
    a.source = {s.value("kind", ""), s.value("task", ""), s.value("seed", std::int64_t{0}),
                s.value("camera", "")};
  }
  for (const auto& q : j.value("qa_pairs", json::array())) {
    a.qa_pairs.push_back({q.value("kind", ""), q.value("question", ""), q.value("answer", "")});
  }
  a.teacher_prompts = j.value("teacher_prompts", std::vector<std::string>{});
  a.recording_id = j.value("recording_id", "");
  a.recovered = j.value("recovered", false);
  return a;
}

}  // namespace thinkvla::core
