#include "model/task_vocabulary.h"

#include <cstdio>

namespace thinkvla::model {

const std::string& reasoningPrompt() {
  static const std::string prompt =
      "think in 3D: locate the objects, their distance and orientation from the gripper";
  return prompt;
}

std::vector<std::string> defaultTokenizerCorpus() {
  std::vector<std::string> corpus = {
      // LIBERO-Spatial, -Object, -Goal and -Long style instructions.
      "pick up the black bowl between the plate and the ramekin and place it on the plate",
      "pick up the black bowl next to the ramekin and place it on the plate",
      "pick up the black bowl from table center and place it on the plate",
      "pick up the black bowl on the cookie box and place it on the plate",
      "pick up the black bowl in the top drawer of the wooden cabinet and place it on the plate",
      "pick up the black bowl on the ramekin and place it on the plate",
      "pick up the black bowl next to the cookie box and place it on the plate",
      "pick up the black bowl on the stove and place it on the plate",
      "pick up the black bowl next to the plate and place it on the plate",
      "pick up the black bowl on the wooden cabinet and place it on the plate",
      "pick up the alphabet soup and place it in the basket",
      "pick up the cream cheese and place it in the basket",
      "pick up the salad dressing and place it in the basket",
      "pick up the bbq sauce and place it in the basket",
      "pick up the ketchup and place it in the basket",
      "pick up the tomato sauce and place it in the basket",
      "pick up the butter and place it in the basket",
      "pick up the milk and place it in the basket",
      "pick up the chocolate pudding and place it in the basket",
      "pick up the orange juice and place it in the basket",
      "open the middle drawer of the cabinet",
      "put the bowl on the stove",
      "put the wine bottle on top of the cabinet",
      "open the top drawer and put the bowl inside",
      "put the bowl on top of the cabinet",
      "push the plate to the front of the stove",
      "put the cream cheese in the bowl",
      "turn on the stove",
      "put the bowl on the plate",
      "put the wine bottle on the rack",
      "put both the alphabet soup and the tomato sauce in the basket",
      "put both the cream cheese box and the butter in the basket",
      "turn on the stove and put the moka pot on it",
      "put the black bowl in the bottom drawer of the cabinet and close it",
      "put the white mug on the left plate and put the yellow and white mug on the right plate",
      "pick up the book and place it in the back compartment of the caddy",
      "put the white mug on the plate and put the chocolate pudding to the right of the plate",
      "put both the alphabet soup and the cream cheese box in the basket",
      "put both moka pots on the stove",
      "put the yellow and white mug in the microwave and close it",
      "pick up the red cube and place it in the green box",
      "push the blue block to the left of the red block",
      "stack the red cube on the blue cube",
      "close the drawer, then lift the mug",
      reasoningPrompt(),
  };
  const char* objects[] = {"bowl",  "plate", "mug",    "cube",   "block",  "basket",
                           "drawer", "stove", "ramekin", "bottle", "gripper", "cabinet"};
  const char* relations[] = {"left of", "right of", "in front of", "behind", "above", "below"};
  const char* axes[] = {"x", "y", "z"};
  char buffer[256];
  for (int i = 0; i < 12; ++i) {
    const char* a = objects[i];
    const char* b = objects[(i + 5) % 12];
    std::snprintf(buffer, sizeof buffer, "where is the %s? <anchor> the %s is at x %.2f y %.2f z %.2f m",
                  a, a, 0.07 * i - 0.4, 0.45 - 0.06 * i, 0.02 * (i % 5));
    corpus.push_back(buffer);
    std::snprintf(buffer, sizeof buffer,
                  "how far is the %s from the %s? <anchor> the distance is %.2f meters", a, b,
                  0.05 + 0.03 * i);
    corpus.push_back(buffer);
    std::snprintf(buffer, sizeof buffer,
                  "what is the orientation of the %s? <anchor> the %s is rotated %d degrees about "
                  "the %s axis",
                  a, a, 15 * i - 90, axes[i % 3]);
    corpus.push_back(buffer);
    std::snprintf(buffer, sizeof buffer,
                  "what is the angle between the %s and the %s? <anchor> the angle is %d degrees",
                  a, b, 10 * i + 5);
    corpus.push_back(buffer);
    std::snprintf(buffer, sizeof buffer, "is the %s %s the %s? <anchor> %s, it is %s it", a,
                  relations[i % 6], b, i % 2 == 0 ? "yes" : "no", relations[(i + 3) % 6]);
    corpus.push_back(buffer);
    std::snprintf(buffer, sizeof buffer,
                  "which object is closest to the %s? <anchor> the %s is closest", a,
                  objects[(i + 3) % 12]);
    corpus.push_back(buffer);
  }
  corpus.push_back("0 1 2 3 4 5 6 7 8 9 - + . , ? ! : ; ' ( ) % / yes no left right up down");
  corpus.push_back("what color is the object? it is red green blue yellow white black orange");
  return corpus;
}

}  // namespace thinkvla::model
