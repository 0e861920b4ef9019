#pragma once
#include "device/device.hpp"
#include "storage/database.hpp"

namespace twofold::storage {

class DeviceStore final : public device::Registry {
 public:
  explicit DeviceStore(Database& db) : db_(db) {}
  void add(const device::Device& device) override;
  std::optional<device::Device> find_by_token_hash(const std::string& token_hash) override;
  std::vector<device::Device> list(const std::string& identity_key) override;
  void add_activation_code(const device::ActivationCode& code) override;
  std::optional<device::ActivationCode> take_activation_code(const std::string& code_hash) override;

 private:
  std::vector<device::Device> query(const std::string& where, const std::string& value);
  Database& db_;
};

}  // namespace twofold::storage
