#include "passwordstore.h"

#include <qt6keychain/keychain.h>

namespace cachescope {

namespace {

// The job's own message names the backend's complaint; it never holds the password.
QString reasonOf(const QKeychain::Job *job)
{
    switch (job->error()) {
    case QKeychain::EntryNotFound:
        return PasswordStore::tr("no password is stored for it");
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return PasswordStore::tr("the keychain refused access (%1)").arg(job->errorString());
    case QKeychain::NoBackendAvailable:
        return PasswordStore::tr("no keychain is available (%1)").arg(job->errorString());
    default:
        return PasswordStore::tr("the keychain failed: %1").arg(job->errorString());
    }
}

} // namespace

PasswordStore::PasswordStore(const QString &service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{
}

void PasswordStore::read(const QString &account)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a copy in QSettings
    job->setKey(account);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *done) {
        const auto *read = static_cast<QKeychain::ReadPasswordJob *>(done);
        if (read->error() == QKeychain::NoError)
            Q_EMIT readFinished(account, read->textData());
        else
            Q_EMIT readFailed(account, reasonOf(read));
    });
    job->start();
}

void PasswordStore::write(const QString &account, const QString &password)
{
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(account);
    job->setTextData(password);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *done) {
        if (done->error() == QKeychain::NoError)
            Q_EMIT writeFinished(account);
        else
            Q_EMIT writeFailed(account, reasonOf(done));
    });
    job->start();
}

void PasswordStore::remove(const QString &account)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(account);
    job->start();
}

} // namespace cachescope
