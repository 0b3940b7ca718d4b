#pragma once

#include <QObject>
#include <QString>

namespace cachescope {

// Saved connections' passwords in the system keychain (Secret Service, KWallet, macOS Keychain,
// Windows credentials) through QtKeychain, never in the settings file: QtKeychain's "insecure
// fallback" (which would write them into QSettings) stays off. Every call is asynchronous — a
// keychain may talk D-Bus to a daemon or show an unlock prompt — and answers with one signal on
// the GUI thread, so the window never waits on it. With no keychain (no daemon, no D-Bus session)
// reads and writes fail with a reason, and the caller asks the user instead.
class PasswordStore : public QObject
{
    Q_OBJECT
public:
    // `service` names our entries in the keychain (the organization name, "CacheScope"; tests run
    // under their own).
    explicit PasswordStore(const QString &service, QObject *parent = nullptr);

    // `account` is what the password belongs to: the saved connection's URL without its password.
    void read(const QString &account);
    void write(const QString &account, const QString &password);
    void remove(const QString &account);

Q_SIGNALS:
    void readFinished(const QString &account, const QString &password); // found
    void readFailed(const QString &account, const QString &reason);      // absent, or no keychain
    void writeFinished(const QString &account);
    void writeFailed(const QString &account, const QString &reason);

private:
    QString m_service;
};

} // namespace cachescope
