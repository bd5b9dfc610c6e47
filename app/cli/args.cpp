#include "cli/args.h"

#include <iostream>
#include <sstream>

namespace thinkvla::cli {

Args::Args(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

Args& Args::option(const std::string& name, Kind kind, const std::string& help,
                   const std::string& default_value) {
  options_[name] = Option{kind, help, default_value};
  order_.push_back(name);
  return *this;
}

void Args::parse(const std::vector<std::string>& argv) {
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const auto it = options_.find(name);
    if (it == options_.end()) {
      throw UsageError("unknown option --" + name + " for '" + command_ + "' (see --help)");
    }
    if (it->second.kind == Kind::kFlag) {
      if (inline_value) throw UsageError("option --" + name + " takes no value");
      values_[name] = "1";
    } else if (inline_value) {
      values_[name] = *inline_value;
    } else {
      if (i + 1 >= argv.size()) throw UsageError("option --" + name + " needs a value");
      values_[name] = argv[++i];
    }
  }
}

bool Args::parseOptions(const std::vector<std::string>& argv) {
  parse(argv);
  if (help_) {
    std::cout << usage();
    return false;
  }
  if (!positional_.empty()) throw UsageError("unexpected argument '" + positional_.front() + "'");
  return true;
}

bool Args::has(const std::string& name) const { return values_.count(name) != 0; }

std::string Args::value(const std::string& name) const {
  if (const auto it = values_.find(name); it != values_.end()) return it->second;
  if (const auto it = options_.find(name); it != options_.end()) return it->second.default_value;
  return {};
}

int Args::intValue(const std::string& name) const {
  const std::string v = value(name);
  try {
    std::size_t used = 0;
    const int n = std::stoi(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return n;
  } catch (const std::exception&) {
    throw UsageError("option --" + name + " expects an integer, got '" + v + "'");
  }
}

double Args::doubleValue(const std::string& name) const {
  const std::string v = value(name);
  try {
    std::size_t used = 0;
    const double d = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return d;
  } catch (const std::exception&) {
    throw UsageError("option --" + name + " expects a number, got '" + v + "'");
  }
}

int Args::intAtLeast(const std::string& name, int min) const {
  const int n = intValue(name);
  if (n < min) throw UsageError("--" + name + " must be >= " + std::to_string(min));
  return n;
}

int Args::intInRange(const std::string& name, int min, int max) const {
  const int n = intValue(name);
  if (n < min || n > max) {
    throw UsageError("--" + name + " must be " + std::to_string(min) + ".." + std::to_string(max));
  }
  return n;
}

std::string Args::usage() const {
  std::ostringstream out;
  out << "usage: thinkvla " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
  for (const auto& name : order_) {
    const Option& o = options_.at(name);
    std::string left = "--" + name + (o.kind == Kind::kValue ? " VALUE" : "");
    out << "  " << left;
    for (std::size_t pad = left.size(); pad < 26; ++pad) out << ' ';
    out << o.help;
    if (!o.default_value.empty()) out << " (default: " << o.default_value << ")";
    out << '\n';
  }
  out << "  --help                    this text\n";
  return out.str();
}

}  // namespace thinkvla::cli
