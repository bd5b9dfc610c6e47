// TeleopPanel: the Teleop dock's controls. Who drives (human, policy, shared), which device, the
// speed scale, the frame motions are given in, the emergency stop and its reset, and what the
// control loop reports (measured rate, dead-man held, stop latched). A view: it emits the user's
// intents and shows what it is told. GUI thread only.
#pragma once

#include <QWidget>

class QButtonGroup;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;

namespace thinkvla::widgets {

class TeleopPanel : public QWidget {
  Q_OBJECT

 public:
  enum class Mode { kHuman = 0, kPolicy = 1, kShared = 2 };
  enum class Frame { kBase = 0, kEndEffector = 1 };

  explicit TeleopPanel(QWidget* parent);

  void setDevices(const QStringList& names);  // "keyboard", "gamepad: ...", ...
  void setMode(Mode mode);                    // reflects the loop's mode (no signal)
  void setPolicyAvailable(bool available);    // policy and shared need a loaded checkpoint
  void setStatus(double control_rate_hz, bool deadman_held, bool stopped);

  Mode mode() const;
  double speed() const;  // (0, 1]
  QString statusText() const;

 Q_SIGNALS:
  void modeRequested(thinkvla::widgets::TeleopPanel::Mode mode);
  void deviceRequested(const QString& name);
  void speedChanged(double speed);
  void frameRequested(thinkvla::widgets::TeleopPanel::Frame frame);
  void emergencyStopRequested();
  void resetStopRequested();

 private:
  QButtonGroup* modes_ = nullptr;
  QComboBox* devices_ = nullptr;
  QComboBox* frame_ = nullptr;
  QSlider* speed_ = nullptr;
  QPushButton* stop_ = nullptr;
  QPushButton* reset_ = nullptr;
  QLabel* status_ = nullptr;
};

}  // namespace thinkvla::widgets
