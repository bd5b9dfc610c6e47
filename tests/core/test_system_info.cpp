// The native stack loads and works in one process: MuJoCo compiles and steps a model, HDF5 writes
// and reads back a file, and every library reports a version.
#include <QtTest/QtTest>
#include <H5Cpp.h>
#include <mujoco/mujoco.h>

#include "core/system_info.h"

class TestSystemInfo : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void everyLibraryHasAVersion() {
    const auto versions = thinkvla::core::libraryVersions();
    QStringList names;
    for (const auto& v : versions) {
      names << QString::fromStdString(v.name);
      QVERIFY2(!v.version.empty(), v.name.c_str());
    }
    for (const char* expected :
         {"LibTorch", "OpenCV", "MuJoCo", "HDF5", "spdlog", "Qt", "VTK", "Dear ImGui"}) {
      QVERIFY2(names.contains(expected), expected);
    }
  }

  void mujocoCompilesAndSteps() {
    // A box dropped from 1 m falls under gravity onto a plane.
    const char* xml = R"(<mujoco><worldbody>
        <geom type="plane" size="1 1 0.1"/>
        <body name="box" pos="0 0 1"><freejoint/><geom type="box" size="0.05 0.05 0.05" mass="1"/></body>
      </worldbody></mujoco>)";
    char error[512] = "";
    // MuJoCo 2.2 reads XML from a virtual file system.
    mjVFS vfs;
    mj_defaultVFS(&vfs);
    QCOMPARE(mj_makeEmptyFileVFS(&vfs, "drop.xml", static_cast<int>(strlen(xml))), 0);
    std::memcpy(vfs.filedata[vfs.nfile - 1], xml, strlen(xml));
    mjModel* m = mj_loadXML("drop.xml", &vfs, error, sizeof(error));
    mj_deleteVFS(&vfs);
    QVERIFY2(m != nullptr, error);
    mjData* d = mj_makeData(m);
    const double z0 = d->qpos[2];
    for (int i = 0; i < 200; ++i) mj_step(m, d);  // 0.4 s at the default 2 ms step
    const double z1 = d->qpos[2];
    QVERIFY(z0 == 1.0);
    // Free fall for 0.4 s would be 0.784 m; the box is stopped by the plane at z = 0.05.
    QVERIFY2(z1 < 0.3 && z1 > 0.04, qPrintable(QString::number(z1)));
    mj_deleteData(d);
    mj_deleteModel(m);
  }

  void hdf5WritesAndReadsBack() {
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/probe.h5";
    std::vector<double> values(7 * 5);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.25 * static_cast<double>(i);
    {
      H5::H5File file(path, H5F_ACC_TRUNC);
      const hsize_t dims[2] = {5, 7};
      H5::DataSpace space(2, dims);
      auto group = file.createGroup("data");
      auto ds = group.createDataSet("actions", H5::PredType::NATIVE_DOUBLE, space);
      ds.write(values.data(), H5::PredType::NATIVE_DOUBLE);
    }
    H5::H5File file(path, H5F_ACC_RDONLY);
    auto ds = file.openDataSet("data/actions");
    hsize_t dims[2] = {0, 0};
    ds.getSpace().getSimpleExtentDims(dims);
    QCOMPARE(dims[0], hsize_t{5});
    QCOMPARE(dims[1], hsize_t{7});
    std::vector<double> back(values.size());
    ds.read(back.data(), H5::PredType::NATIVE_DOUBLE);
    QVERIFY(back == values);
  }
};

QTEST_GUILESS_MAIN(TestSystemInfo)
#include "test_system_info.moc"
