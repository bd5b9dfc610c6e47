#include "model/think_vla.h"

#include <cmath>
#include <limits>

namespace thinkvla::model {

namespace F = torch::nn::functional;

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

torch::nn::Sequential mlp(int in, int hidden, int out) {
  return torch::nn::Sequential(torch::nn::Linear(in, hidden), torch::nn::GELU(),
                               torch::nn::Linear(hidden, out));
}
}  // namespace

// --- attention and blocks ----------------------------------------------------------------------

AttentionImpl::AttentionImpl(int width, int heads, bool cross) : heads_(heads), cross_(cross) {
  if (cross) {
    q_ = register_module("q", torch::nn::Linear(width, width));
    kv_ = register_module("kv", torch::nn::Linear(width, 2 * width));
  } else {
    qkv_ = register_module("qkv", torch::nn::Linear(width, 3 * width));
  }
  out_ = register_module("out", torch::nn::Linear(width, width));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context,
                                     const torch::Tensor& mask, torch::Tensor* probs) {
  const auto b = x.size(0);
  const auto lq = x.size(1);
  const auto w = x.size(2);
  const auto d = w / heads_;
  torch::Tensor q, k, v;
  if (cross_) {
    q = q_(x);
    auto kv = kv_(context).chunk(2, -1);
    k = kv[0];
    v = kv[1];
  } else {
    auto qkv = qkv_(x).chunk(3, -1);
    q = qkv[0];
    k = qkv[1];
    v = qkv[2];
  }
  const auto lk = k.size(1);
  q = q.view({b, lq, heads_, d}).transpose(1, 2);
  k = k.view({b, lk, heads_, d}).transpose(1, 2);
  v = v.view({b, lk, heads_, d}).transpose(1, 2);
  auto scores = torch::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(d)));
  if (mask.defined()) scores = scores + mask;
  auto p = torch::softmax(scores, -1);
  if (probs != nullptr) *probs = p.detach();
  auto y = torch::matmul(p, v).transpose(1, 2).reshape({b, lq, w});
  return out_(y);
}

BlockImpl::BlockImpl(int width, int heads, int mlp_ratio) {
  ln1_ = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  attn_ = register_module("attn", Attention(width, heads, false));
  ln2_ = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  fc1_ = register_module("fc1", torch::nn::Linear(width, width * mlp_ratio));
  fc2_ = register_module("fc2", torch::nn::Linear(width * mlp_ratio, width));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const torch::Tensor& mask,
                                 torch::Tensor* probs) {
  auto h = x + attn_(ln1_(x), torch::Tensor(), mask, probs);
  return h + fc2_(F::gelu(fc1_(ln2_(h))));
}

ActionBlockImpl::ActionBlockImpl(int width, int heads, int mlp_ratio, bool conditioned)
    : conditioned_(conditioned) {
  ln1_ = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  self_attn_ = register_module("self_attn", Attention(width, heads, false));
  if (conditioned) {
    ln_q_ = register_module("ln_q", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    ln_c_ = register_module("ln_c", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    cross_attn_ = register_module("cross_attn", Attention(width, heads, true));
  }
  ln2_ = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  fc1_ = register_module("fc1", torch::nn::Linear(width, width * mlp_ratio));
  fc2_ = register_module("fc2", torch::nn::Linear(width * mlp_ratio, width));
}

torch::Tensor ActionBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& condition) {
  // Queries attend to each other without a mask: parallel decoding of the whole chunk.
  auto h = x + self_attn_(ln1_(x), torch::Tensor(), torch::Tensor());
  if (conditioned_) h = h + cross_attn_(ln_q_(h), ln_c_(condition), torch::Tensor());
  return h + fc2_(F::gelu(fc1_(ln2_(h))));
}

// --- the network -------------------------------------------------------------------------------

ThinkVlaNetImpl::ThinkVlaNetImpl(const PolicyConfig& config) : config_(config) {
  config_.validate();
  const auto& c = config_;
  const int c1 = c.stem_channels;
  const int c2 = 2 * c.stem_channels;
  const int gt = c.tokenGrid();
  auto conv = [](int in, int out) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(2).padding(1));
  };
  stem_ = register_module("stem", torch::nn::Sequential(conv(3, c1), torch::nn::GELU(),
                                                        conv(c1, c2), torch::nn::GELU(),
                                                        conv(c2, c2), torch::nn::GELU()));
  patch_proj_ = register_module("patch_proj", torch::nn::Linear(c2, c.width));
  image_pos_ = register_parameter("image_pos", torch::randn({1, 1, gt * gt, c.width}) * 0.02);
  view_embed_ = register_parameter("view_embed", torch::randn({1, c.num_views, 1, c.width}) * 0.02);
  token_embed_ = register_module("token_embed", torch::nn::Embedding(c.vocab_size, c.width));
  torch::nn::init::normal_(token_embed_->weight, 0.0, 0.02);
  text_pos_ = register_parameter("text_pos", torch::randn({1, c.max_text_tokens, c.width}) * 0.02);
  action_queries_ =
      register_parameter("action_queries", torch::randn({1, c.chunk_size, c.width}) * 0.02);
  proprio_proj_ = register_module("proprio_proj", torch::nn::Linear(c.proprio_dim, c.width));
  if (c.progress_levels > 0) {
    // Zero at the start: a network given this input later (fine-tuning a checkpoint without it)
    // computes what it computed before until training moves the embedding.
    progress_embed_ =
        register_module("progress_embed", torch::nn::Embedding(c.progress_levels, c.width));
    torch::nn::init::zeros_(progress_embed_->weight);
  }
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < c.layers; ++i) blocks_->push_back(Block(c.width, c.heads, c.mlp_ratio));
  ln_f_ = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.width})));

  if (c.use_geometry_adapter) {
    geometry_adapter_ = register_module(
        "geometry_adapter",
        torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(c2, c.geometry_dim, 1)),
                              torch::nn::GELU(),
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(c.geometry_dim,
                                                                         c.geometry_dim, 1))));
    if (!c.deployed) {
      alignment_projector_ = register_module(
          "alignment_projector", mlp(c.geometry_dim, c.geometry_dim, c.teacher_feature_dim));
    }
    depth_probe_ = register_module("depth_probe", mlp(c.geometry_dim, c.geometry_dim, 1));
    geometry_projector_ =
        register_module("geometry_projector", torch::nn::Linear(c.geometry_dim, c.width));
  }
  if (c.reasoningEnabled()) {
    reasoning_adapter_ = register_module("reasoning_adapter", mlp(c.width, c.width, c.width));
    reasoning_projector_ = register_module(
        "reasoning_projector", torch::nn::Linear(c.width, c.reasoning_tokens * c.width));
  }
  // Hierarchical conditions: geometry in the first half of the head, reasoning in the second.
  const int half = c.head_blocks / 2;
  geometry_blocks_ = c.reasoningEnabled() ? half : c.head_blocks;
  head_blocks_ = register_module("head_blocks", torch::nn::ModuleList());
  for (int i = 0; i < c.head_blocks; ++i) {
    const bool conditioned = i < geometry_blocks_ ? c.use_geometry_adapter : c.reasoningEnabled();
    head_blocks_->push_back(ActionBlock(c.width, c.heads, c.mlp_ratio, conditioned));
  }
  ln_head_ = register_module("ln_head", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.width})));
  action_out_ = register_module("action_out", torch::nn::Linear(c.width, c.action_dim));
}

torch::Tensor ThinkVlaNetImpl::preprocessImages(const torch::Tensor& images) const {
  TORCH_CHECK(images.dim() == 5 && images.size(4) == 3,
              "images must be [B, V, H, W, 3], got ", images.sizes());
  TORCH_CHECK(images.size(1) == config_.num_views, "images carry ", images.size(1),
              " views, the config expects num_views = ", config_.num_views);
  const auto b = images.size(0);
  const auto v = images.size(1);
  auto x = images.scalar_type() == torch::kUInt8 ? images.to(torch::kFloat32).div(255.0)
                                                 : images.to(torch::kFloat32);
  x = x.reshape({b * v, images.size(2), images.size(3), 3}).permute({0, 3, 1, 2});
  const int s = config_.image_size;
  if (x.size(2) != s || x.size(3) != s) {
    x = F::interpolate(x.contiguous(), F::InterpolateFuncOptions()
                                           .size(std::vector<int64_t>{s, s})
                                           .mode(torch::kBilinear)
                                           .align_corners(false)
                                           .antialias(true));
  }
  return (x - 0.5) * 2.0;
}

ThinkVlaNetImpl::Encoded ThinkVlaNetImpl::encode(const PolicyInputs& in, bool with_anchor,
                                                 bool with_queries,
                                                 const torch::Tensor& image_tokens) {
  const auto& c = config_;
  const auto b = in.proprio.size(0);
  TORCH_CHECK(!in.images.defined() || in.images.size(0) == b, "images and proprio batch sizes differ");
  TORCH_CHECK(in.proprio.dim() == 2 && in.proprio.size(0) == b && in.proprio.size(1) == c.proprio_dim,
              "proprio must be [B, ", c.proprio_dim, "], got ", in.proprio.sizes());
  TORCH_CHECK(in.text_ids.dim() == 2 && in.text_ids.size(0) == b,
              "text_ids must be [B, T], got ", in.text_ids.sizes());
  const auto t = in.text_ids.size(1);
  TORCH_CHECK(t >= 1 && t <= c.max_text_tokens, "text has ", t, " tokens, max_text_tokens is ",
              c.max_text_tokens);
  Encoded e;
  torch::Tensor img;
  if (image_tokens.defined()) {
    TORCH_CHECK(image_tokens.dim() == 3 && image_tokens.size(0) == b &&
                    image_tokens.size(1) == c.imageTokens() && image_tokens.size(2) == c.width,
                "image_tokens must be [B, ", c.imageTokens(), ", ", c.width, "]");
    img = image_tokens;
  } else {
    e.visual_features = stem_->forward(preprocessImages(in.images));  // [B*V, C, G, G]
    auto pooled = c.token_pool > 1 ? F::avg_pool2d(e.visual_features,
                                                   F::AvgPool2dFuncOptions(c.token_pool))
                                   : e.visual_features;
    const int gt = c.tokenGrid();
    img = patch_proj_(pooled.flatten(2).transpose(1, 2));  // [B*V, gt*gt, W]
    img = img.view({b, c.num_views, gt * gt, c.width}) + image_pos_ + view_embed_;
    img = img.reshape({b, c.num_views * gt * gt, c.width});
  }
  e.image_tokens = img;

  auto ids = in.text_ids.to(torch::kInt64);
  auto text = token_embed_(ids) + text_pos_.narrow(1, 0, t);
  auto prop = proprio_proj_(in.proprio.to(torch::kFloat32)).unsqueeze(1);
  if (progress_embed_) {
    torch::Tensor level;
    if (in.progress.defined()) {
      TORCH_CHECK(in.progress.dim() == 1 && in.progress.size(0) == b, "progress must be [B], got ",
                  in.progress.sizes());
      level = in.progress.to(prop.device(), torch::kInt64).clamp(0, c.progress_levels - 1);
    } else {
      level = torch::zeros({b}, torch::TensorOptions(torch::kInt64).device(prop.device()));
    }
    prop = prop + progress_embed_(level).unsqueeze(1);
  }
  std::vector<torch::Tensor> parts = {img, prop, text};
  const int64_t ni = img.size(1);
  e.text_begin = ni + 1;
  e.text_len = t;
  int64_t len = ni + 1 + t;
  if (with_anchor) {
    auto anchor = token_embed_->weight[c.anchor_token_id].view({1, 1, c.width}).expand({b, 1, c.width});
    parts.push_back(anchor);
    e.anchor_index = len++;
  }
  if (with_queries) {
    parts.push_back(action_queries_.expand({b, c.chunk_size, c.width}));
    e.queries_begin = len;
    len += c.chunk_size;
  }
  e.tokens = torch::cat(parts, 1);

  // Structural mask (true = may attend), then padding keys removed.
  auto allowed = torch::zeros({len, len}, torch::kBool);
  using torch::indexing::Slice;
  allowed.index_put_({Slice(0, ni), Slice(0, ni)}, true);                // images: bidirectional
  allowed.index_put_({Slice(ni, ni + 1), Slice(0, ni + 1)}, true);       // proprio
  allowed.index_put_({Slice(e.text_begin, e.text_begin + t), Slice(0, ni + 1)}, true);
  allowed.index_put_({Slice(e.text_begin, e.text_begin + t), Slice(e.text_begin, e.text_begin + t)},
                     torch::ones({t, t}, torch::kBool).tril());  // text: causal
  if (with_anchor) allowed.index_put_({e.anchor_index, Slice(0, e.anchor_index + 1)}, true);
  if (with_queries) allowed.index_put_({Slice(e.queries_begin, len), Slice()}, true);
  auto key_ok = torch::ones({b, len}, torch::kBool);
  key_ok.index_put_({Slice(), Slice(e.text_begin, e.text_begin + t)}, ids.ne(c.pad_token_id));
  auto ok = allowed.unsqueeze(0) & key_ok.unsqueeze(1);  // [B, L, L]
  e.mask = torch::zeros({b, 1, len, len}).masked_fill(ok.logical_not().unsqueeze(1), kNegInf);
  return e;
}

torch::Tensor ThinkVlaNetImpl::runBackbone(const Encoded& e, std::vector<torch::Tensor>* probs) {
  auto h = e.tokens;
  for (const auto& m : *blocks_) {
    torch::Tensor p;
    h = m->as<Block>()->forward(h, e.mask, probs != nullptr ? &p : nullptr);
    if (probs != nullptr) probs->push_back(p);
  }
  return ln_f_(h);
}

ActionOutput ThinkVlaNetImpl::forward(const PolicyInputs& inputs, bool introspect) {
  const auto& c = config_;
  ActionOutput out;
  auto e = encode(inputs, c.use_anchor, true);
  out.image_tokens = e.image_tokens;
  std::vector<torch::Tensor> probs;
  auto h = runBackbone(e, introspect ? &probs : nullptr);
  const auto b = h.size(0);
  const int g = c.patchGrid();

  torch::Tensor geometry_tokens;
  if (c.use_geometry_adapter) {
    auto latent = geometry_adapter_->forward(e.visual_features);  // [B*V, Dg, G, G]
    out.geometry_latent =
        latent.flatten(2).transpose(1, 2).reshape({b, c.num_views, g * g, c.geometry_dim});
    // The probe reads a detached latent: it learns depth without shaping the policy.
    out.depth = F::softplus(depth_probe_->forward(out.geometry_latent.detach()))
                    .view({b, c.num_views, g, g});
    auto pooled = c.token_pool > 1 ? F::avg_pool2d(latent, F::AvgPool2dFuncOptions(c.token_pool))
                                   : latent;
    const int gt = c.tokenGrid();
    auto tokens = geometry_projector_(pooled.flatten(2).transpose(1, 2))
                      .view({b, c.num_views, gt * gt, c.width}) +
                  image_pos_ + view_embed_;
    geometry_tokens = tokens.reshape({b, c.num_views * gt * gt, c.width});
  }
  torch::Tensor reasoning_tokens;
  if (c.use_anchor) out.anchor_state = h.select(1, e.anchor_index);
  if (c.reasoningEnabled()) {
    out.reasoning = reason(out.anchor_state);
    reasoning_tokens = reasoning_projector_(out.reasoning).view({b, c.reasoning_tokens, c.width});
  }
  auto q = h.narrow(1, e.queries_begin, c.chunk_size);
  for (size_t i = 0; i < head_blocks_->size(); ++i) {
    const auto& cond = static_cast<int>(i) < geometry_blocks_ ? geometry_tokens : reasoning_tokens;
    q = head_blocks_[i]->as<ActionBlock>()->forward(q, cond);
  }
  out.actions = action_out_(ln_head_(q));

  if (introspect) {
    const int64_t ni = c.imageTokens();
    std::vector<torch::Tensor> anchor_rows, query_rows;
    for (const auto& p : probs) {  // [B, H, L, L]
      if (c.use_anchor) anchor_rows.push_back(p.select(2, e.anchor_index).narrow(2, 0, ni));
      query_rows.push_back(p.narrow(2, e.queries_begin, c.chunk_size));
    }
    if (c.use_anchor) out.introspection.anchor_attention = torch::stack(anchor_rows, 1);
    out.introspection.action_attention = torch::stack(query_rows, 1);
  }
  return out;
}

torch::Tensor ThinkVlaNetImpl::textLogits(const PolicyInputs& inputs) {
  auto e = encode(inputs, false, false);
  auto h = runBackbone(e, nullptr).narrow(1, e.text_begin, e.text_len);
  return torch::matmul(h, token_embed_->weight.t());  // tied input and output embeddings
}

torch::Tensor ThinkVlaNetImpl::teacherAnchorState(const PolicyInputs& teacher_inputs,
                                                  const torch::Tensor& image_tokens) {
  TORCH_CHECK(config_.use_anchor, "the teacher branch needs use_anchor");
  torch::NoGradGuard no_grad;
  auto e = encode(teacher_inputs, true, false,
                  image_tokens.defined() ? image_tokens.detach() : torch::Tensor());
  return runBackbone(e, nullptr).select(1, e.anchor_index).detach();
}

torch::Tensor ThinkVlaNetImpl::alignFeatures(const torch::Tensor& geometry_latent) {
  TORCH_CHECK(!alignment_projector_.is_empty(),
              "no alignment projector: the model is deployed or has no geometry adapter");
  return alignment_projector_->forward(geometry_latent);
}

torch::Tensor ThinkVlaNetImpl::reason(const torch::Tensor& anchor_state) {
  TORCH_CHECK(config_.reasoningEnabled(), "no reasoning adapter in this model");
  return reasoning_adapter_->forward(anchor_state);
}

std::vector<int64_t> ThinkVlaNetImpl::generate(const torch::Tensor& images,
                                               const torch::Tensor& proprio,
                                               const std::vector<int64_t>& prompt_ids,
                                               int max_new_tokens) {
  torch::NoGradGuard no_grad;
  std::vector<int64_t> ids = prompt_ids;
  std::vector<int64_t> generated;
  for (int i = 0; i < max_new_tokens && static_cast<int>(ids.size()) < config_.max_text_tokens; ++i) {
    PolicyInputs in{images, proprio, torch::tensor(ids, torch::kInt64).unsqueeze(0), {}};
    auto logits = textLogits(in);
    const int64_t next = logits[0][static_cast<int64_t>(ids.size()) - 1].argmax().item<int64_t>();
    if (next == config_.eos_token_id) break;
    ids.push_back(next);
    generated.push_back(next);
  }
  return generated;
}

std::vector<std::pair<std::string, int64_t>> ThinkVlaNetImpl::componentParameterCounts() const {
  std::vector<std::pair<std::string, int64_t>> counts;
  auto add = [&](const std::string& component, int64_t n) {
    for (auto& [name, count] : counts) {
      if (name == component) {
        count += n;
        return;
      }
    }
    counts.emplace_back(component, n);
  };
  for (const auto& p : named_parameters()) {
    const std::string& name = p.key();
    std::string top = name.substr(0, name.find('.'));
    std::string component = "backbone";
    if (top == "stem" || top == "patch_proj" || top == "image_pos" || top == "view_embed") {
      component = "vision";
    } else if (top == "token_embed" || top == "text_pos") {
      component = "text embedding";
    } else if (top == "head_blocks" || top == "ln_head" || top == "action_out" ||
               top == "action_queries" || top == "proprio_proj" || top == "progress_embed") {
      component = "action head";
    } else if (top == "geometry_adapter" || top == "alignment_projector" || top == "depth_probe" ||
               top == "geometry_projector" || top == "reasoning_adapter" ||
               top == "reasoning_projector") {
      component = top;
    }
    add(component, p.value().numel());
  }
  return counts;
}

torch::Tensor padTokenBatch(const std::vector<std::vector<int64_t>>& sequences, int64_t pad_id,
                            int64_t length) {
  int64_t t = length;
  if (t <= 0) {
    for (const auto& s : sequences) t = std::max<int64_t>(t, static_cast<int64_t>(s.size()));
    t = std::max<int64_t>(t, 1);
  }
  auto out = torch::full({static_cast<int64_t>(sequences.size()), t}, pad_id, torch::kInt64);
  auto a = out.accessor<int64_t, 2>();
  for (size_t i = 0; i < sequences.size(); ++i) {
    for (int64_t j = 0; j < t && j < static_cast<int64_t>(sequences[i].size()); ++j) {
      a[static_cast<int64_t>(i)][j] = sequences[i][static_cast<size_t>(j)];
    }
  }
  return out;
}

bool isTrainingOnlyParameter(const std::string& name) {
  return name.rfind("alignment_projector.", 0) == 0;
}

}  // namespace thinkvla::model
