// What training-time image augmentation draws from (see image_augmentation.h): a plain value type
// without OpenCV, so a run's settings (train/train_config.h) can carry it.
#pragma once

namespace thinkvla::model::data {

enum class Augmentation { kOff, kOn };

struct AugmentationOptions {
  // Random resized crop: fraction of the image's area and aspect ratio (width / height) of the
  // crop.
  double crop_area_min = 0.9;
  double crop_area_max = 1.0;
  double crop_aspect_min = 3.0 / 4.0;
  double crop_aspect_max = 4.0 / 3.0;
  // Colour jitter, torchvision's convention: factors drawn from [1 - x, 1 + x]; hue shift from
  // [-hue, hue] turns. OpenVLA's values.
  double brightness = 0.2;
  double contrast = 0.2;
  double saturation = 0.2;
  double hue = 0.05;
};

}  // namespace thinkvla::model::data
