#include "widgets/teleop_panel.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

namespace thinkvla::widgets {

TeleopPanel::TeleopPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* mode_row = new QHBoxLayout;
  modes_ = new QButtonGroup(this);
  const char* names[] = {"Human", "Policy", "Shared"};
  for (int i = 0; i < 3; ++i) {
    auto* b = new QRadioButton(tr(names[i]), this);
    b->setObjectName(QString("mode%1").arg(names[i]));
    modes_->addButton(b, i);
    mode_row->addWidget(b);
  }
  modes_->button(0)->setChecked(true);
  layout->addLayout(mode_row);

  auto* form = new QFormLayout;
  devices_ = new QComboBox(this);
  devices_->setObjectName("device");
  form->addRow(tr("Device"), devices_);
  frame_ = new QComboBox(this);
  frame_->setObjectName("frame");
  frame_->addItems({tr("Base frame"), tr("End-effector frame")});
  form->addRow(tr("Frame"), frame_);
  speed_ = new QSlider(Qt::Horizontal, this);
  speed_->setObjectName("speed");
  speed_->setRange(5, 100);
  speed_->setValue(50);
  form->addRow(tr("Speed"), speed_);
  layout->addLayout(form);

  auto* stop_row = new QHBoxLayout;
  stop_ = new QPushButton(tr("EMERGENCY STOP (Esc)"), this);
  stop_->setObjectName("emergencyStop");
  stop_->setStyleSheet("QPushButton { background: #b71c1c; color: white; font-weight: bold; padding: 8px; }");
  reset_ = new QPushButton(tr("Reset stop"), this);
  reset_->setObjectName("resetStop");
  reset_->setEnabled(false);
  stop_row->addWidget(stop_, 2);
  stop_row->addWidget(reset_, 1);
  layout->addLayout(stop_row);
  status_ = new QLabel(this);
  status_->setObjectName("status");
  layout->addWidget(status_);
  layout->addWidget(new QLabel(tr("Keys: hold Space (dead-man); W/S x, A/D y, R/F z, Q/E yaw, Z/X pitch, "
                                  "C/V roll, G gripper"),
                               this));
  layout->addStretch(1);

  connect(modes_, &QButtonGroup::idClicked, this,
          [this](int id) { Q_EMIT modeRequested(static_cast<Mode>(id)); });
  connect(devices_, &QComboBox::currentTextChanged, this, &TeleopPanel::deviceRequested);
  connect(frame_, qOverload<int>(&QComboBox::currentIndexChanged), this,
          [this](int i) { Q_EMIT frameRequested(static_cast<Frame>(i)); });
  connect(speed_, &QSlider::valueChanged, this, [this](int v) { Q_EMIT speedChanged(v / 100.0); });
  connect(stop_, &QPushButton::clicked, this, &TeleopPanel::emergencyStopRequested);
  connect(reset_, &QPushButton::clicked, this, &TeleopPanel::resetStopRequested);
  setPolicyAvailable(false);
  setStatus(0.0, false, false);
}

void TeleopPanel::setDevices(const QStringList& names) {
  const QSignalBlocker block(devices_);
  const QString current = devices_->currentText();
  devices_->clear();
  devices_->addItems(names);
  const int keep = devices_->findText(current);
  devices_->setCurrentIndex(keep >= 0 ? keep : 0);
}

void TeleopPanel::setMode(Mode mode) {
  const QSignalBlocker block(modes_);
  modes_->button(static_cast<int>(mode))->setChecked(true);
}

void TeleopPanel::setPolicyAvailable(bool available) {
  modes_->button(static_cast<int>(Mode::kPolicy))->setEnabled(available);
  modes_->button(static_cast<int>(Mode::kShared))->setEnabled(available);
}

void TeleopPanel::setStatus(double control_rate_hz, bool deadman_held, bool stopped) {
  reset_->setEnabled(stopped);
  status_->setText(QString("%1  %2  %3")
                       .arg(QString("control %1 Hz").arg(control_rate_hz, 0, 'f', 1),
                            deadman_held ? tr("dead-man held") : tr("dead-man released"),
                            stopped ? tr("STOPPED: reset to move") : QString()));
  status_->setStyleSheet(stopped ? "color: #ef5350; font-weight: bold;" : "");
}

TeleopPanel::Mode TeleopPanel::mode() const { return static_cast<Mode>(modes_->checkedId()); }
double TeleopPanel::speed() const { return speed_->value() / 100.0; }
QString TeleopPanel::statusText() const { return status_->text(); }

}  // namespace thinkvla::widgets
