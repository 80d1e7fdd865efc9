// Temperature sensors and the guard's levels. The CPU's thresholds come from
// the chip when it reports them (hwmon temp*_max and temp*_crit: some server
// CPUs run at 95 °C by design), else 85 and 95 °C as for GPUs.
#include "sweep/thermal.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "io/subprocess.h"
#include "util/error.h"

namespace regal::sweep {
namespace fs = std::filesystem;
namespace {

std::optional<double> read_number(const fs::path& file) {
  std::ifstream in(file);
  double value = 0;
  if (!(in >> value) || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string read_word(const fs::path& file) {
  std::ifstream in(file);
  std::string word;
  in >> word;
  return word;
}

class FileSensor final : public TemperatureSensor {
 public:
  explicit FileSensor(fs::path file) : file_(std::move(file)) {}
  std::optional<double> read() override { return read_number(file_); }
  ThermalLimits limits() const override { return {85, 95, "GPU defaults"}; }
  std::string describe() const override { return "file " + file_.string(); }

 private:
  fs::path file_;
};

class NvidiaSmiSensor final : public TemperatureSensor {
 public:
  NvidiaSmiSensor(std::string program, std::string device, int index)
      : program_(std::move(program)), device_(std::move(device)), index_(index) {}
  std::optional<double> read() override {
    const io::ProgramResult result = io::run_program(
        {program_, "--query-gpu=temperature.gpu", "--format=csv,noheader,nounits", "-i", device_});
    if (result.exit_code != 0) return std::nullopt;
    try {
      return std::stod(result.output);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  ThermalLimits limits() const override { return {85, 95, "GPU defaults"}; }
  std::string describe() const override { return "GPU " + std::to_string(index_) + " (nvidia-smi -i " + device_ + ")"; }

 private:
  std::string program_, device_;
  int index_;
};

// The hottest of a set of millidegree files.
class CpuSensor final : public TemperatureSensor {
 public:
  CpuSensor(std::vector<fs::path> inputs, ThermalLimits limits, std::string what)
      : inputs_(std::move(inputs)), limits_(std::move(limits)), what_(std::move(what)) {}
  std::optional<double> read() override {
    std::optional<double> hottest;
    for (const auto& input : inputs_) {
      if (const auto value = read_number(input)) hottest = std::max(hottest.value_or(-1e9), *value / 1000.0);
    }
    return hottest;
  }
  ThermalLimits limits() const override { return limits_; }
  std::string describe() const override { return what_; }

 private:
  std::vector<fs::path> inputs_;
  ThermalLimits limits_;
  std::string what_;
};

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> entries;
  std::error_code error;
  for (const auto& item : fs::directory_iterator(dir, error)) entries.push_back(item.path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

bool is_cpu_chip(const std::string& name) {
  for (const char* chip : {"coretemp", "k10temp", "zenpower", "cpu_thermal", "soc_thermal", "x86_pkg_temp", "cpu"}) {
    if (name.find(chip) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<TemperatureSensor> file_sensor(const fs::path& file) { return std::make_unique<FileSensor>(file); }

std::unique_ptr<TemperatureSensor> cpu_sensor(const fs::path& sys_root) {
  // hwmon: the CPU chips' temp*_input; thresholds from their temp*_max/_crit
  // (the lowest any channel reports).
  std::vector<fs::path> inputs;
  std::optional<double> pause, abort;
  std::string chips;
  for (const auto& chip : sorted_entries(sys_root / "class" / "hwmon")) {
    const std::string name = read_word(chip / "name");
    if (!is_cpu_chip(name)) continue;
    bool any = false;
    for (const auto& file : sorted_entries(chip)) {
      const std::string base = file.filename().string();
      if (base.rfind("temp", 0) != 0 || base.size() < 7 || base.substr(base.size() - 6) != "_input") continue;
      if (!read_number(file)) continue;
      inputs.push_back(file);
      any = true;
      const std::string channel = base.substr(0, base.size() - 6);
      if (const auto max = read_number(chip / (channel + "_max")); max && *max > 0) pause = std::min(pause.value_or(1e9), *max / 1000.0);
      if (const auto crit = read_number(chip / (channel + "_crit")); crit && *crit > 0) abort = std::min(abort.value_or(1e9), *crit / 1000.0);
    }
    if (any) chips += (chips.empty() ? "" : ", ") + name;
  }
  if (!inputs.empty()) {
    ThermalLimits limits;
    limits.from = "defaults";
    if (pause && abort && *pause < *abort) {
      limits = {*pause, *abort, "the chip's temp*_max and temp*_crit"};
    } else if (abort && *abort > 10) {
      limits = {*abort - 10, *abort, "the chip's temp*_crit, pause 10 °C below"};
    }
    return std::make_unique<CpuSensor>(std::move(inputs), limits, "CPU (hwmon " + chips + ")");
  }
  // Thermal zones of the CPU package.
  for (const auto& zone : sorted_entries(sys_root / "class" / "thermal")) {
    if (zone.filename().string().rfind("thermal_zone", 0) != 0) continue;
    const std::string type = read_word(zone / "type");
    if (!is_cpu_chip(type) || !read_number(zone / "temp")) continue;
    ThermalLimits limits;
    for (int trip = 0; trip < 16; ++trip) {
      const std::string prefix = "trip_point_" + std::to_string(trip);
      if (read_word(zone / (prefix + "_type")) != "critical") continue;
      if (const auto crit = read_number(zone / (prefix + "_temp")); crit && *crit > 10000) {
        limits = {*crit / 1000.0 - 10, *crit / 1000.0, "the zone's critical trip point, pause 10 °C below"};
      }
    }
    inputs.push_back(zone / "temp");
    return std::make_unique<CpuSensor>(std::move(inputs), limits, "CPU (thermal zone " + type + ")");
  }
  return nullptr;
}

std::unique_ptr<TemperatureSensor> find_sensor(std::optional<int> gpu, const fs::path& sys_root) {
  if (const char* file = std::getenv("REGAL_THERMAL_SENSOR"); file != nullptr && *file != '\0') return file_sensor(file);
  if (gpu) {
    if (const auto program = io::find_program("nvidia-smi")) {
      // nvidia-smi numbers GPUs physically: the visible device list maps ours.
      std::string device = std::to_string(*gpu);
      if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES"); visible != nullptr && *visible != '\0') {
        std::stringstream list(visible);
        std::string item;
        for (int i = 0; std::getline(list, item, ','); ++i) {
          if (i == *gpu) device = item;
        }
      }
      auto sensor = std::make_unique<NvidiaSmiSensor>(*program, device, *gpu);
      if (sensor->read()) return sensor;
    }
  }
  return cpu_sensor(sys_root);
}

std::string celsius(double value) {
  std::ostringstream out;
  out << value << " °C";
  return out.str();
}

std::optional<int> gpu_index(const std::string& device) {
  if (device == "cuda") return 0;
  if (device.rfind("cuda:", 0) == 0) return std::stoi(device.substr(5));
  return std::nullopt;
}

ThermalLimits resolve_limits(const TemperatureSensor* sensor, const ThermalSettings& settings) {
  ThermalLimits limits = sensor ? sensor->limits() : ThermalLimits{};
  if (settings.pause) {
    limits.pause = *settings.pause;
    limits.from = "--thermal-pause";
  }
  if (settings.abort) {
    limits.abort = *settings.abort;
    limits.from = settings.pause ? "--thermal-pause/--thermal-abort" : "--thermal-abort";
  }
  if (limits.pause >= limits.abort) {
    throw InputError("--thermal-pause (" + celsius(limits.pause) + ") must be below --thermal-abort (" + celsius(limits.abort) + ")");
  }
  return limits;
}

ThermalGuard::ThermalGuard(std::unique_ptr<TemperatureSensor> sensor, const ThermalSettings& settings)
    : sensor_(std::move(sensor)), settings_(settings), limits_(resolve_limits(sensor_.get(), settings)) {}

ThermalLevel ThermalGuard::check(double now) {
  if (!sensor_ || now < next_) return level_;
  next_ = now + settings_.interval;
  const std::optional<double> reading = sensor_->read();
  if (!reading) return level_;
  last_ = reading;
  if (*reading >= limits_.abort) {
    level_ = ThermalLevel::kAbort;
  } else if (*reading >= limits_.pause) {
    level_ = ThermalLevel::kPause;
  } else if (level_ != ThermalLevel::kPause || *reading < limits_.pause - settings_.hysteresis) {
    level_ = ThermalLevel::kOk;
  }
  return level_;
}

ThermalSampler::ThermalSampler(std::unique_ptr<TemperatureSensor> sensor, double interval)
    : sensor_(std::move(sensor)), interval_(interval) {
  if (!sensor_) return;
  sample();
  thread_ = std::thread([this] {
    const auto step = std::chrono::milliseconds(50);
    auto next = std::chrono::steady_clock::now() + std::chrono::duration<double>(interval_);
    while (!stop_.load()) {
      std::this_thread::sleep_for(step);
      if (std::chrono::steady_clock::now() < next) continue;
      next = std::chrono::steady_clock::now() + std::chrono::duration<double>(interval_);
      sample();
    }
  });
}

ThermalSampler::~ThermalSampler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ThermalSampler::sample() {
  const std::optional<double> reading = sensor_->read();
  if (!reading) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  max_ = std::max(max_.value_or(*reading), *reading);
}

std::optional<double> ThermalSampler::max() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return max_;
}

}  // namespace regal::sweep
