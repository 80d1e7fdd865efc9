#pragma once
// The thermal guard (docs/notebook.md): every rank samples a temperature
// every few seconds; above the pause threshold it starts no new run until it
// has cooled below the threshold minus a hysteresis, above the abort
// threshold its runs checkpoint and stop as thermal_abort and the sweep ends
// with exit code 4. Sensors: a file (REGAL_THERMAL_SENSOR, for tests and
// odd hardware), the rank's GPU through nvidia-smi, the CPU through
// /sys/class/hwmon or /sys/class/thermal. No sensor: said once, guard off.
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace regal::sweep {

struct ThermalLimits {
  double pause = 85;     // °C: no new run starts
  double abort = 95;     // °C: running runs stop (thermal_abort)
  std::string from = "defaults";  // where the figures come from ("hwmon temp1_max/temp1_crit", "--thermal-pause", ...)
};

class TemperatureSensor {
 public:
  virtual ~TemperatureSensor() = default;
  // The hottest reading now (°C); nullopt when it cannot be read this time.
  virtual std::optional<double> read() = 0;
  // The thresholds this sensor implies (GPU 85/95; a CPU's own max/crit).
  virtual ThermalLimits limits() const = 0;
  // "GPU 0 (nvidia-smi)", "CPU (hwmon coretemp)", "file /tmp/t".
  virtual std::string describe() const = 0;
};

// The sensor for a rank: REGAL_THERMAL_SENSOR when set; else the GPU with
// this index among the visible ones when `gpu` (and nvidia-smi answers); else
// the CPU's under `sys_root`; nullptr when there is none.
std::unique_ptr<TemperatureSensor> find_sensor(std::optional<int> gpu, const std::filesystem::path& sys_root = "/sys");

// A sensor reading a file that holds one temperature in °C (GPU defaults).
std::unique_ptr<TemperatureSensor> file_sensor(const std::filesystem::path& file);
// The CPU's sensors under `sys_root` (hwmon chips of CPUs, else thermal
// zones); nullptr when none reads.
std::unique_ptr<TemperatureSensor> cpu_sensor(const std::filesystem::path& sys_root);

enum class ThermalLevel { kOk, kPause, kAbort };

struct ThermalSettings {
  std::optional<double> pause, abort;  // --thermal-pause, --thermal-abort (override the sensor's)
  double interval = 5;                 // seconds between samples (--thermal-interval)
  double hysteresis = 5;               // °C below the pause threshold before runs start again
};

class ThermalGuard {
 public:
  // `sensor` may be null: the guard is off.
  ThermalGuard(std::unique_ptr<TemperatureSensor> sensor, const ThermalSettings& settings);
  // Samples when the interval has passed since the last sample (`now`:
  // monotonic seconds) and returns the level: kAbort at or above the abort
  // threshold, kPause at or above the pause threshold and, once paused, until
  // below it minus the hysteresis; a failed read keeps the last level.
  ThermalLevel check(double now);
  bool active() const { return sensor_ != nullptr; }
  std::optional<double> last() const { return last_; }
  const ThermalLimits& limits() const { return limits_; }
  double interval() const { return settings_.interval; }
  // Runs start again below this, once paused.
  double resume_below() const { return limits_.pause - settings_.hysteresis; }
  std::string describe() const { return sensor_ ? sensor_->describe() : "no sensor"; }

 private:
  std::unique_ptr<TemperatureSensor> sensor_;
  ThermalSettings settings_;
  ThermalLimits limits_;
  std::optional<double> last_;
  double next_ = 0;
  ThermalLevel level_ = ThermalLevel::kOk;
};

// "96 °C".
std::string celsius(double value);
// The index of a device "cuda:N" ("cuda": 0); nullopt for the CPU.
std::optional<int> gpu_index(const std::string& device);

// The limits a guard uses: the sensor's, with the flags over them. Throws
// InputError when pause >= abort.
ThermalLimits resolve_limits(const TemperatureSensor* sensor, const ThermalSettings& settings);

// A thread that samples a sensor while a run executes and keeps the hottest
// reading (status.json, metrics.json and the log record it).
class ThermalSampler {
 public:
  ThermalSampler(std::unique_ptr<TemperatureSensor> sensor, double interval);
  ~ThermalSampler();
  ThermalSampler(const ThermalSampler&) = delete;
  ThermalSampler& operator=(const ThermalSampler&) = delete;
  std::optional<double> max() const;

 private:
  void sample();
  std::unique_ptr<TemperatureSensor> sensor_;
  double interval_;
  mutable std::mutex mutex_;
  std::optional<double> max_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace regal::sweep
