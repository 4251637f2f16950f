#include "carelake/pipeline/plan.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "carelake/catalog/catalog.h"
#include "carelake/model/gold.h"
#include "carelake/sql/statement.h"

namespace carelake::pipeline {

using catalog::CatalogTable;
using catalog::ProjectTables;

namespace {

// The step that writes `qualified`: a database source's table belongs to the
// step of its source (bronze.<source>__<table> -> bronze.<source>).
std::string StepOf(const project::Project& project, const std::string& qualified) {
  if (qualified.rfind("bronze.", 0) != 0) return qualified;
  size_t sep = qualified.find("__", 7);
  if (sep == std::string::npos) return qualified;
  const std::string source = qualified.substr(7, sep - 7);
  return project.FindDatabaseSource(source) ? "bronze." + source : qualified;
}

}  // namespace

Result<std::vector<Step>> PlanSteps(const project::Project& project, engine::Connection& conn,
                                    std::string* failed_step) {
  std::vector<Step> all;
  for (const project::Source& s : project.sources) {
    all.push_back({"bronze." + s.table, {}, FileSourceStep{&s}});
  }
  for (const project::DatabaseSource& s : project.database_sources) {
    all.push_back({"bronze." + s.name, {}, DatabaseSourceStep{&s}});
  }
  for (const project::SilverTable& t : project.silver) {
    all.push_back({"silver." + t.name, {StepOf(project, t.from)}, SilverStep{&t}});
  }
  // Bare table names the project declares, for a hint when SQL omits the layer.
  std::map<std::string, std::string> bare;
  std::set<std::string> declared;
  for (const CatalogTable& t : ProjectTables(project)) {
    auto [it, fresh] = bare.emplace(t.name, t.Qualified());
    if (!fresh) it->second += " or " + t.Qualified();
    declared.insert(t.Qualified());
  }
  auto fail = [&](const std::string& step, Status status) {
    if (failed_step != nullptr) *failed_step = step;
    return status;
  };
  for (const project::Model& m : project.models) {
    Step step{"gold." + m.name, {}, SpecFor(m)};
    auto parsed = model::ParseModel(m, conn);
    if (!parsed.ok()) return fail(step.name, parsed.status());
    for (const sql::TableRef& r : parsed->refs) {
      const std::string file = m.sql_file.empty() ? m.origin.ToString() : m.sql_file;
      if (r.schema.empty() && !r.new_rows) {
        auto it = bare.find(r.name);
        if (it == bare.end()) continue;  // not the project's: DuckDB's business
        return fail(step.name, InvalidArgument(sql::PointAt(
                                   file, m.sql, r.begin,
                                   "'" + r.name +
                                       "' names no table: tables are named layer.name; "
                                       "did you mean " +
                                       it->second + "?")));
      }
      std::string q = r.schema + "." + r.name;
      std::transform(q.begin(), q.begin() + r.schema.size(), q.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (r.catalog.empty() &&
          parsed->inputs.end() != std::find(parsed->inputs.begin(), parsed->inputs.end(), q) &&
          !declared.count(q) && StepOf(project, q) == q) {
        std::string known;
        for (const CatalogTable& t : ProjectTables(project)) {
          if (catalog::ToString(t.layer) == q.substr(0, q.find('.')) &&
              t.name.find("__") == std::string::npos)
            known += (known.empty() ? "" : ", ") + t.Qualified();
        }
        return fail(step.name, InvalidArgument(sql::PointAt(
                                   file, m.sql, r.begin,
                                   "reads '" + q + "', which the project does not declare" +
                                       (known.empty() ? "" : " (it declares " + known + ")"))));
      }
    }
    std::set<std::string> seen;
    for (const std::string& input : parsed->inputs) {
      // A quarantine or changes table belongs to the step of its table.
      const std::string q = StepOf(project, catalog::OwnerTable(input));
      if (q.rfind("_system.", 0) == 0 || q == step.name || !seen.insert(q).second) continue;
      step.upstream.push_back(q);
    }
    all.push_back(std::move(step));
  }
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < all.size(); ++i) index[all[i].name] = i;
  for (const Step& s : all) {
    for (const std::string& u : s.upstream) {
      if (!index.count(u)) {
        return fail(s.name, InvalidArgument(s.origin().ToString() + ": " + s.name + " reads '" + u +
                                            "', which the project does not declare"));
      }
    }
  }
  // Topological order, stable with respect to declaration order.
  std::vector<Step> ordered;
  std::vector<int> state(all.size(), 0);  // 0 new, 1 visiting, 2 done
  std::function<Status(size_t, std::vector<std::string>&)> visit =
      [&](size_t i, std::vector<std::string>& path) -> Status {
    if (state[i] == 2) return Status::Ok();
    path.push_back(all[i].name);
    if (state[i] == 1) {
      std::string cycle;
      for (const std::string& p : path) cycle += (cycle.empty() ? "" : " -> ") + p;
      return InvalidArgument("the project's tables depend on each other in a cycle: " + cycle);
    }
    state[i] = 1;
    for (const std::string& u : all[i].upstream) CARELAKE_RETURN_IF_ERROR(visit(index[u], path));
    state[i] = 2;
    path.pop_back();
    ordered.push_back(all[i]);
    return Status::Ok();
  };
  for (size_t i = 0; i < all.size(); ++i) {
    std::vector<std::string> path;
    CARELAKE_RETURN_IF_ERROR(visit(i, path));
  }
  return ordered;
}

Result<std::vector<Step>> SelectSteps(const std::vector<Step>& steps,
                                      const std::vector<std::string>& selectors) {
  if (selectors.empty()) return steps;
  std::set<std::string> chosen;
  for (std::string sel : selectors) {
    bool up = false, down = false;
    if (!sel.empty() && sel.front() == '+') {
      up = true;
      sel.erase(0, 1);
    }
    if (!sel.empty() && sel.back() == '+') {
      down = true;
      sel.pop_back();
    }
    std::vector<std::string> matches;
    for (const Step& s : steps) {
      if (s.name == sel || s.name.substr(s.name.find('.') + 1) == sel) matches.push_back(s.name);
    }
    if (matches.empty()) {
      std::string names;
      for (const Step& s : steps) names += (names.empty() ? "" : ", ") + s.name;
      return InvalidArgument("--select '" + sel + "' matches no table (the project has: " + names +
                             ")");
    }
    if (matches.size() > 1) {
      return InvalidArgument("--select '" + sel + "' is ambiguous: " + matches[0] + " or " +
                             matches[1] + "; use the layer.name form");
    }
    const std::string root = matches[0];
    chosen.insert(root);
    if (up) {  // steps are in dependency order: walk backwards
      std::set<std::string> need = {root};
      for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
        if (!need.count(it->name)) continue;
        chosen.insert(it->name);
        need.insert(it->upstream.begin(), it->upstream.end());
      }
    }
    if (down) {
      std::set<std::string> reached = {root};
      for (const Step& s : steps) {
        for (const std::string& u : s.upstream) {
          if (reached.count(u)) reached.insert(s.name);
        }
      }
      chosen.insert(reached.begin(), reached.end());
    }
  }
  std::vector<Step> out;
  for (const Step& s : steps) {
    if (chosen.count(s.name)) out.push_back(s);
  }
  return out;
}

}  // namespace carelake::pipeline
